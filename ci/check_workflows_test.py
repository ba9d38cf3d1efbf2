"""ci/check-workflows.py: a valid workflow passes, and each rule catches the workflow that
breaks it (one fault at a time, on a copy of the valid one)."""

import importlib.util
import pathlib
import tempfile
import textwrap
import unittest

if importlib.util.find_spec("yaml") is None:
    raise unittest.SkipTest("python3-yaml is not installed (the checker needs it)")

_PATH = pathlib.Path(__file__).resolve().parent / "check-workflows.py"
_SPEC = importlib.util.spec_from_file_location("check_workflows", _PATH)
cw = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(cw)

VALID = textwrap.dedent("""\
    name: valid
    on:
      push:
      pull_request:
      schedule:
        - cron: '0 3 * * *'
    permissions:
      contents: read
    concurrency:
      group: ${{ github.workflow }}-${{ github.ref }}
      cancel-in-progress: ${{ github.ref != 'refs/heads/main' }}
    jobs:
      build:
        runs-on: ubuntu-latest
        timeout-minutes: 10
        steps:
          - uses: actions/checkout@v4
          - id: version
            run: echo "v=1" >>"$GITHUB_OUTPUT"
          - run: ci/test.sh --no-fuzz
            if: steps.version.outputs.v == '1' && !cancelled()
      shards:
        needs: build
        runs-on: ubuntu-latest
        timeout-minutes: 10
        strategy:
          matrix:
            shard: [1, 2]
            include:
              - shard: 1
                extra: yes
        steps:
          - name: shard ${{ matrix.shard }} of ${{ strategy.job-total }} ${{ matrix.extra }}
            run: echo "${{ needs.build.result }} ${{ format('{0}}}', runner.os) }}"
          - uses: actions/upload-artifact@0123456789abcdef0123456789abcdef01234567
            with:
              name: report-${{ matrix.shard }}
              path: out.xml
      reuse:
        uses: ./.github/workflows/other.yml
    """)

CFLITE_PROJECT = {"language": "c++", "base_os_version": "ubuntu-24-04",
                  "sanitizers": ["address", "undefined"]}

CFLITE = textwrap.dedent("""\
    on: pull_request
    jobs:
      fuzz:
        runs-on: ubuntu-latest
        strategy:
          matrix:
            sanitizer: [address, undefined]
        steps:
          - uses: actions/checkout@v4
          - uses: google/clusterfuzzlite/actions/build_fuzzers@v1
            with:
              language: c++
              sanitizer: ${{ matrix.sanitizer }}
          - uses: google/clusterfuzzlite/actions/run_fuzzers@v1
            with:
              mode: code-change
              sanitizer: ${{ matrix.sanitizer }}
              github-token: ${{ secrets.GITHUB_TOKEN }}
    """)


class Fixture:
    """A repository root holding ci/test.sh, for the rule on ci/ files."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = pathlib.Path(self.tmp.name)
        (self.root / "ci").mkdir()
        (self.root / "ci" / "test.sh").write_text("#!/bin/sh\n")


def problems(text, policy=True, cflite=None):
    fixture = Fixture()
    try:
        return cw.check_workflow(cw.load_yaml(text), fixture.root, cflite, policy)
    finally:
        fixture.tmp.cleanup()


def broken(old, new, base=VALID):
    assert old in base, old
    return base.replace(old, new, 1)


class RuleTest(unittest.TestCase):
    """Each fault breaks one rule; the checker must name it."""

    def check(self, subject):
        return problems(subject)

    def assertCaught(self, subject, fragment):
        found = self.check(subject)
        self.assertTrue(any(fragment in p for p in found), "%r not in %r" % (fragment, found))

    def assertTableCaught(self, base, faults):
        for rule, old, new, fragment in faults:
            with self.subTest(rule):
                self.assertCaught(broken(old, new, base), fragment)


# (the rule, a text of VALID, what replaces it, what the checker must say)
WORKFLOW_FAULTS = [
    ("on is required", "on:\n  push:\n  pull_request:\n", "true_on:\n  push:\n", "on: missing"),
    ("events are known", "  pull_request:\n", "  pull-request:\n",
     "on.pull-request: not a GitHub event"),
    ("crons have five fields", "'0 3 * * *'", "'0 3 * *'", "five fields"),
    ("a job has runs-on", "  build:\n    runs-on: ubuntu-latest\n", "  build:\n",
     "jobs.build: no runs-on"),
    ("a reusable job has no runs-on", "    uses: ./.github/workflows/other.yml\n",
     "    uses: ./.github/workflows/other.yml\n    runs-on: ubuntu-latest\n",
     "a reusable-workflow job"),
    ("a step has not both uses and run", "      - uses: actions/checkout@v4\n",
     "      - uses: actions/checkout@v4\n        run: ls\n", "has uses and run"),
    ("a step has uses or run", "      - uses: actions/checkout@v4\n", "      - name: nothing\n",
     "has neither"),
    ("needs name jobs", "needs: build", "needs: [build, lint]", "jobs.shards.needs: no job 'lint'"),
    ("ci/ files exist", "run: ci/test.sh --no-fuzz", "run: ./ci/tests.sh --no-fuzz",
     "ci/tests.sh does not exist"),
    ("permissions are set", "permissions:\n  contents: read\n", "", "permissions: not set"),
    ("jobs have timeouts", "    timeout-minutes: 10\n", "", "jobs.build: no timeout-minutes"),
    ("steps are pinned", "actions/checkout@v4", "actions/checkout@main",
     "jobs.build.steps[0].uses: actions/checkout@main: @main is a branch"),
    ("reusable workflows are pinned", "uses: ./.github/workflows/other.yml",
     "uses: o/r/.github/workflows/w.yml@master", "jobs.reuse.uses: o/r/.github/workflows/w.yml@"),
    ("expressions are closed", "${{ matrix.shard }} of", "${{ matrix.shard of",
     "without its '}}'"),
    ("expressions are not nested", "${{ matrix.shard }} of", "${{ ${{ matrix.shard }} }} of",
     "without its '}}' before the next '${{'"),
    ("contexts are known", "${{ needs.build.result }}", "${{ need.build.result }}",
     "unknown context 'need'"),
    ("a bare name is no context", "${{ github.workflow }}", "${{ workflow }}",
     "unknown context 'workflow'"),
    ("functions are known", "!cancelled()", "!canceled()", "unknown function canceled()"),
    ("if: is an expression", "if: steps.version.outputs.v", "if: step.version.outputs.v",
     "jobs.build.steps[2].if: unknown context 'step'"),
    ("matrix keys exist", "name: report-${{ matrix.shard }}", "name: report-${{ matrix.shards }}",
     "matrix.shards is not in the job's matrix (extra, shard)"),
    ("matrix needs a matrix", "run: ci/test.sh --no-fuzz", "run: ci/test.sh ${{ matrix.os }}",
     "matrix.os used in a job without a matrix"),
    ("job contexts stay in jobs", "${{ github.workflow }}-", "${{ matrix.shard }}-",
     "'matrix' is only available inside a job"),
    ("needs.X is needed", "${{ needs.build.result }}", "${{ needs.lint.result }}",
     "needs.lint is not in the job's needs"),
    ("steps.X is an earlier step", "if: steps.version.", "if: steps.versions.",
     "steps.versions is not the id of an earlier step"),
]

CFLITE_FAULTS = [
    ("the matrix is project.yaml's sanitizers", "[address, undefined]", "[address]",
     "the matrix runs sanitizers [address], .clusterfuzzlite/project.yaml lists "
     "[address, undefined]"),
    ("a literal sanitizer is listed", "sanitizer: ${{ matrix.sanitizer }}\n      - uses",
     "sanitizer: memory\n      - uses", "sanitizer 'memory' is not in"),
    ("build and run agree", "sanitizer: ${{ matrix.sanitizer }}\n          github-token",
     "sanitizer: address\n          github-token",
     "built with sanitizer '${{ matrix.sanitizer }}' but run with 'address'"),
    ("the mode is known", "mode: code-change", "mode: ci", "mode 'ci'"),
    ("the language is project.yaml's", "language: c++", "language: c", "language 'c'"),
    ("a checkout comes first", "      - uses: actions/checkout@v4\n", "",
     "no actions/checkout before it"),
]


class WorkflowRulesTest(RuleTest):
    def test_each_fault_is_caught(self):
        self.assertTableCaught(VALID, WORKFLOW_FAULTS)

    def test_jobs_are_required(self):
        self.assertCaught(VALID[:VALID.index("jobs:")], "jobs: missing")

    def test_a_job_needs_steps(self):
        start = VALID.index("    steps:\n      - uses: actions/checkout@v4")
        self.assertCaught(VALID[:start] + VALID[VALID.index("  shards:"):],
                          "jobs.build: no steps")

    def test_policy_is_for_the_repository_only(self):
        self.assertEqual(problems(broken("permissions:\n  contents: read\n", ""), policy=False),
                         [])

    def test_pinned_refs(self):
        for good in ("actions/checkout@v4", "actions/checkout@v4.1.7", "o/r/path@1.2.3",
                     "o/r@0123456789abcdef0123456789abcdef01234567", "./local",
                     "docker://debian:12", "docker://img@sha256:abc"):
            self.assertIsNone(cw.check_uses(good), good)
        for bad, why in (("actions/checkout@main", "is a branch"),
                         ("actions/checkout@master", "is a branch"),
                         ("actions/checkout", "no version"),
                         ("actions/checkout@feature/x", "not a version tag"),
                         ("actions/checkout@0123abc", "not a version tag"),
                         ("docker://debian", "pin the image"),
                         ("docker://debian:latest", "pin the image")):
            self.assertIn(why, cw.check_uses(bad) or "", bad)

    def test_finding_expressions(self):
        self.assertEqual(cw.find_expressions("a ${{ x }} b ${{ y.z }}"), ([" x ", " y.z "], []))
        self.assertEqual(cw.find_expressions("${{ format('}}', a) }}")[0], [" format('}}', a) "])
        self.assertEqual(cw.find_expressions("${{ a ")[1], ["'${{' without its '}}'"])
        self.assertEqual(cw.references("github.event.pull_request.number || matrix.os"),
                         ([["github", "event", "pull_request", "number"], ["matrix", "os"]], []))
        self.assertEqual(cw.references("contains(github.ref, 'matrix.x') && true"),
                         ([["github", "ref"]], ["contains"]))


class ClusterFuzzLiteTest(RuleTest):
    def check(self, subject):
        return problems(subject, policy=False, cflite=CFLITE_PROJECT)

    def test_each_fault_is_caught(self):
        self.assertTableCaught(CFLITE, CFLITE_FAULTS)

    def test_fuzzing_runs_every_sanitizer(self):
        self.assertCaught(CFLITE.replace("${{ matrix.sanitizer }}", "address"),
                          "code-change fuzzing runs sanitizers [address], "
                          ".clusterfuzzlite/project.yaml lists [address, undefined]")


class IntegrationTest(RuleTest):
    """check_cflite_integration on a copy of the repository's two folders, then broken."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = pathlib.Path(self.tmp.name)
        repo = _PATH.parent.parent
        for folder, names in ((".clusterfuzzlite", ("project.yaml", "Dockerfile", "build.sh")),
                              ("ci/oss-fuzz", ("project.yaml", "Dockerfile", "build.sh"))):
            (self.root / folder).mkdir(parents=True)
            for name in names:
                (self.root / folder / name).write_text((repo / folder / name).read_text())

    def tearDown(self):
        self.tmp.cleanup()

    def edit(self, relative, old, new):
        path = self.root / relative
        text = path.read_text()
        self.assertIn(old, text)
        path.write_text(text.replace(old, new, 1))

    def check(self, subject):
        return cw.check_cflite_integration(subject)

    def test_the_repository_passes(self):
        self.assertEqual(cw.check_cflite_integration(self.root), [])

    def test_packages_must_agree(self):
        self.edit(".clusterfuzzlite/Dockerfile", "libssl-dev ", "")
        self.assertCaught(self.root, "only there: libssl-dev")

    def test_image_tag_must_match_base_os_version(self):
        self.edit(".clusterfuzzlite/project.yaml", "ubuntu-24-04", "ubuntu-20-04")
        self.assertCaught(self.root, "base_os_version is 'ubuntu-20-04'")

    def test_sanitizers_must_agree(self):
        self.edit(".clusterfuzzlite/project.yaml", "  - undefined\n", "")
        self.assertCaught(self.root,
                          "sanitizers [address], ci/oss-fuzz/project.yaml [address, undefined]")

    def test_build_sh_must_hand_over(self):
        self.edit(".clusterfuzzlite/build.sh", '/ci/oss-fuzz/build.sh"', '/ci/other.sh"')
        self.assertCaught(self.root, "does not run ci/oss-fuzz/build.sh")


if __name__ == "__main__":
    unittest.main()
