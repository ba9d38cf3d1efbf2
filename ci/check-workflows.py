#!/usr/bin/python3
"""Checks the CI-service files, which cannot run here: the GitHub Actions workflows in
.github/workflows/, the ClusterFuzzLite build integration in .clusterfuzzlite/ (against
ci/oss-fuzz/, which it reuses), and the example workflow `parley init` writes for users.

usage: ci/check-workflows.py [--yamllint] [--parley BIN | --no-init] [WORKFLOW...]

Without WORKFLOW arguments it checks the repository's files. --yamllint also runs yamllint -s
with ci/yamllint.yaml on every file checked. --parley runs `BIN init` in a temporary folder and
checks the workflows it writes (default: build/dev/bin/parley when it exists).

What a workflow is held to (each rule is a function below, tested in check_workflows_test.py):
  - `on` (known events, five-field crons) and `jobs`; each job `runs-on` and `steps`, or `uses`
    for a reusable workflow; each step exactly one of `uses` and `run`;
  - `uses` pinned to a tag (v4, v1.2.3) or a commit, never a branch;
  - `${{ }}` balanced, naming only known contexts and functions, `matrix.X` in the job's matrix,
    `needs.X` in its needs, `steps.X` an earlier step, no job-only context outside the jobs;
  - `needs` naming existing jobs; `ci/...` files named by `run:` existing in the repository;
  - ClusterFuzzLite steps building and running with the sanitizers of
    .clusterfuzzlite/project.yaml, its language, a known mode, after a checkout;
  - and, for the repository's own workflows, `permissions` and a `timeout-minutes` per job.

PyYAML reads YAML 1.1, where `on:` is the boolean true; GitHub reads it as the key "on". The
loader here takes only true and false as booleans, as GitHub does.

Exits 0 when everything passes, 1 on any problem (each printed as FILE: WHERE: WHAT), 77 when
python3-yaml is missing or, with --yamllint, yamllint is (ci/setup.sh test installs both)."""

import argparse
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError as e:
    print("SKIPPED: %s (apt-get install python3-yaml)" % e)
    sys.exit(77)

ROOT = pathlib.Path(__file__).resolve().parent.parent

CONTEXTS = {"github", "matrix", "secrets", "env", "steps", "needs", "inputs", "runner", "job",
            "vars", "strategy"}
JOB_ONLY_CONTEXTS = {"matrix", "steps", "needs", "runner", "job", "strategy"}
FUNCTIONS = {"contains", "startsWith", "endsWith", "format", "join", "toJSON", "fromJSON",
             "hashFiles", "success", "always", "cancelled", "failure"}
LITERALS = {"true", "false", "null"}
EVENTS = {
    "branch_protection_rule", "check_run", "check_suite", "create", "delete", "deployment",
    "deployment_status", "discussion", "discussion_comment", "fork", "gollum", "issue_comment",
    "issues", "label", "merge_group", "milestone", "page_build", "public", "pull_request",
    "pull_request_review", "pull_request_review_comment", "pull_request_target", "push",
    "registry_package", "release", "repository_dispatch", "schedule", "status", "watch",
    "workflow_call", "workflow_dispatch", "workflow_run"}
BRANCH_NAMES = {"main", "master", "develop", "development", "dev", "trunk", "head", "latest",
                "stable", "next"}
CFLITE_ACTION = re.compile(r"^google/clusterfuzzlite/actions/(build_fuzzers|run_fuzzers)@")
CFLITE_MODES = {"code-change", "batch", "prune", "coverage"}


class _Loader(yaml.SafeLoader):
    """SafeLoader with only true/false as booleans (GitHub's reading of `on`, `yes`, `off`)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool",
                              re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def load_yaml(text):
    return yaml.load(text, Loader=_Loader)


# --- expressions -------------------------------------------------------------------------------

def find_expressions(text):
    """Returns (expressions, problems): the bodies of the ${{ }} in text, and what is unbalanced."""
    bodies, problems = [], []
    pos = 0
    while True:
        start = text.find("${{", pos)
        if start < 0:
            return bodies, problems
        end = _expression_end(text, start + 3)
        if end < 0:
            problems.append("'${{' without its '}}'")
            return bodies, problems
        body = text[start + 3:end]
        if "${{" in _without_strings(body):
            problems.append("'${{' without its '}}' before the next '${{'")
            pos = start + 3
            continue
        bodies.append(body)
        pos = end + 2


def _expression_end(text, pos):
    """The index of the '}}' closing an expression whose body starts at pos, skipping '...'."""
    quoted = False
    while pos < len(text):
        if text[pos] == "'":
            quoted = not quoted  # '' inside a string toggles twice: an escaped quote
        elif not quoted and text.startswith("}}", pos):
            return pos
        pos += 1
    return -1


def _without_strings(expression):
    return re.sub(r"'(?:[^']|'')*'", "''", expression)


_REFERENCE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*(?:\s*\.\s*(?:[A-Za-z_][A-Za-z0-9_-]*|\*))*")


def references(expression):
    """Returns (contexts, functions) used in an expression body: each context reference as the
    list of its property names (['matrix', 'shard']), and each function name called."""
    text = _without_strings(expression)
    if text.count("'") % 2:
        return [], []
    refs, functions = [], []
    for match in _REFERENCE.finditer(text):
        before = text[:match.start()].rstrip()
        if before.endswith(".") or (match.start() > 0 and text[match.start() - 1].isalnum()):
            continue
        after = text[match.end():].lstrip()
        name = match.group(0)
        if after.startswith("("):
            functions.append(name)
        elif name not in LITERALS:
            refs.append([part.strip() for part in name.split(".")])
    return refs, functions


class Scope:
    """What an expression may name where it stands: in a job (its matrix, needs, earlier steps)
    or outside any job."""

    def __init__(self, job=None, step_ids=(), in_job=False):
        self.in_job = in_job
        self.matrix_keys = None  # None: no matrix, or one computed by an expression
        self.has_matrix = False
        self.needs = set()
        self.step_ids = set(step_ids)
        if job is None:
            return
        matrix = (job.get("strategy") or {}).get("matrix") if isinstance(job, dict) else None
        if matrix is not None:
            self.has_matrix = True
            if isinstance(matrix, dict):
                self.matrix_keys = matrix_keys(matrix)
        self.needs = set(as_list(job.get("needs")))


def matrix_keys(matrix):
    keys = {k for k in matrix if k not in ("include", "exclude")}
    for entry in matrix.get("include") or []:
        if isinstance(entry, dict):
            keys.update(entry)
    return keys


def check_expression(expression, scope):
    problems = []
    refs, functions = references(expression)
    for name in functions:
        if name not in FUNCTIONS:
            problems.append("unknown function %s() in '%s'" % (name, expression.strip()))
    for parts in refs:
        context = parts[0]
        if context not in CONTEXTS:
            problems.append("unknown context '%s' in '%s'" % (context, expression.strip()))
            continue
        if context in JOB_ONLY_CONTEXTS and not scope.in_job:
            problems.append("'%s' is only available inside a job" % context)
            continue
        prop = parts[1] if len(parts) > 1 else None
        if context == "matrix":
            if not scope.has_matrix:
                problems.append("matrix.%s used in a job without a matrix" % prop)
            elif prop and prop != "*" and scope.matrix_keys is not None \
                    and prop not in scope.matrix_keys:
                problems.append("matrix.%s is not in the job's matrix (%s)"
                                % (prop, ", ".join(sorted(scope.matrix_keys)) or "empty"))
        elif context == "needs" and prop and prop != "*" and prop not in scope.needs:
            problems.append("needs.%s is not in the job's needs" % prop)
        elif context == "steps" and prop and prop != "*" and prop not in scope.step_ids:
            problems.append("steps.%s is not the id of an earlier step" % prop)
    return problems


def check_strings(node, where, scope, bare_keys=("if",)):
    """Checks every ${{ }} in the strings under node, and the bare expressions of `if:` keys."""
    problems = []
    if isinstance(node, dict):
        for key, value in node.items():
            sub = "%s.%s" % (where, key)
            if key in bare_keys and isinstance(value, str) and "${{" not in value:
                problems += ["%s: %s" % (sub, p) for p in check_expression(value, scope)]
            else:
                problems += check_strings(value, sub, scope, ())
    elif isinstance(node, list):
        for i, value in enumerate(node):
            problems += check_strings(value, "%s[%d]" % (where, i), scope, ())
    elif isinstance(node, str):
        bodies, unbalanced = find_expressions(node)
        problems += ["%s: %s" % (where, p) for p in unbalanced]
        for body in bodies:
            problems += ["%s: %s" % (where, p) for p in check_expression(body, scope)]
    return problems


# --- structure ---------------------------------------------------------------------------------

def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def check_triggers(on):
    if on is None:
        return ["on: missing (no event starts this workflow)"]
    events = on if isinstance(on, (list, dict)) else [on]
    problems = []
    for event in events:
        if event not in EVENTS:
            problems.append("on.%s: not a GitHub event" % event)
    if isinstance(on, dict) and "schedule" in on:
        for i, entry in enumerate(as_list(on["schedule"])):
            cron = entry.get("cron") if isinstance(entry, dict) else None
            if not isinstance(cron, str) or len(cron.split()) != 5:
                problems.append("on.schedule[%d]: needs `cron:` with five fields" % i)
    return problems


def check_uses(uses):
    """The problem with an action or reusable-workflow reference, or None when it is pinned."""
    if not isinstance(uses, str) or not uses:
        return "uses: not a string"
    if uses.startswith("./"):
        return None
    if uses.startswith("docker://"):
        image = uses[len("docker://"):]
        if "@sha256:" in image:
            return None
        tag = image.rsplit(":", 1)[1] if ":" in image.split("/")[-1] else ""
        if not tag or tag == "latest":
            return "uses: %s: pin the image to a tag or a digest" % uses
        return None
    if "@" not in uses:
        return "uses: %s: no version (pin a tag such as @v4, or a commit)" % uses
    ref = uses.rsplit("@", 1)[1]
    if re.fullmatch(r"[0-9a-f]{40}", ref):
        return None
    if ref.lower() in BRANCH_NAMES:
        return "uses: %s: @%s is a branch; pin a tag (@v1) or a commit" % (uses, ref)
    if not re.fullmatch(r"v?\d+(\.\d+)*([-+.][0-9A-Za-z.-]+)?", ref):
        return "uses: %s: @%s is not a version tag or a commit" % (uses, ref)
    return None


_CI_FILE = re.compile(r"(?:^|(?<=[\s;&|(`'\"=]))(?:\./)?(ci/[A-Za-z0-9_.+/-]*[A-Za-z0-9_+-])")


def ci_files(script):
    """The ci/... paths a run: script names."""
    return sorted(set(_CI_FILE.findall(script)))


def check_job(job_id, job, jobs, repo_root=None, policy=False):
    where = "jobs.%s" % job_id
    if not isinstance(job, dict):
        return ["%s: not a mapping" % where]
    problems = []
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", str(job_id)):
        problems.append("%s: a job id is letters, digits, '-' and '_'" % where)
    for need in as_list(job.get("needs")):
        if need not in jobs:
            problems.append("%s.needs: no job '%s'" % (where, need))
        elif need == job_id:
            problems.append("%s.needs: a job cannot need itself" % where)
    if "uses" in job:
        if "steps" in job or "runs-on" in job:
            problems.append("%s: a reusable-workflow job has `uses`, not `steps`/`runs-on`" % where)
        problem = check_uses(job["uses"])
        if problem:
            problems.append("%s.%s" % (where, problem))
    else:
        if "runs-on" not in job:
            problems.append("%s: no runs-on" % where)
        steps = job.get("steps")
        if not isinstance(steps, list) or not steps:
            problems.append("%s: no steps" % where)
            steps = []
        step_ids = []
        for i, step in enumerate(steps):
            problems += check_step(step, "%s.steps[%d]" % (where, i), repo_root)
            if isinstance(step, dict):
                scope = Scope(job, step_ids, in_job=True)
                problems += check_strings(step, "%s.steps[%d]" % (where, i), scope)
                if "id" in step:
                    step_ids.append(str(step["id"]))
    if policy and "timeout-minutes" not in job and "uses" not in job:
        problems.append("%s: no timeout-minutes (GitHub's default is six hours)" % where)
    scope = Scope(job, in_job=True)
    rest = {k: v for k, v in job.items() if k != "steps"}
    problems += check_strings(rest, where, scope)
    return problems


def check_step(step, where, repo_root=None):
    if not isinstance(step, dict):
        return ["%s: not a mapping" % where]
    kinds = [k for k in ("uses", "run") if k in step]
    if len(kinds) != 1:
        return ["%s: needs exactly one of `uses` and `run` (has %s)"
                % (where, " and ".join(kinds) or "neither")]
    if "uses" in step:
        problem = check_uses(step["uses"])
        return ["%s.%s" % (where, problem)] if problem else []
    problems = []
    if repo_root is not None and isinstance(step["run"], str):
        for path in ci_files(step["run"]):
            if not (repo_root / path).exists():
                problems.append("%s.run: %s does not exist in the repository" % (where, path))
    return problems


def check_workflow(doc, repo_root=None, cflite=None, policy=False):
    """Problems of a loaded workflow ("WHERE: WHAT"). repo_root: check the ci/ files that run:
    steps name; cflite: .clusterfuzzlite/project.yaml, loaded; policy: the repository's own
    rules (permissions, timeouts)."""
    if not isinstance(doc, dict):
        return ["the file is not a mapping"]
    problems = check_triggers(doc.get("on"))
    jobs = doc.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        return problems + ["jobs: missing or empty"]
    for job_id, job in jobs.items():
        problems += check_job(job_id, job, jobs, repo_root, policy)
    outside = {k: v for k, v in doc.items() if k != "jobs"}
    problems += check_strings(outside, "workflow", Scope())
    if policy and "permissions" not in doc and not all(
            isinstance(j, dict) and "permissions" in j for j in jobs.values()):
        problems.append("permissions: not set (the token would get the repository's default)")
    if cflite is not None:
        problems += check_cflite_jobs(jobs, cflite)
    return problems


# --- ClusterFuzzLite ---------------------------------------------------------------------------

def check_cflite_jobs(jobs, project):
    """ClusterFuzzLite steps build and run with project.yaml's sanitizers and language."""
    sanitizers = [str(s) for s in as_list(project.get("sanitizers"))] or ["address"]
    language = str(project.get("language", "c++"))
    problems = []
    fuzzed = {}  # mode of code-change or batch fuzzing: the sanitizers it runs with
    for job_id, job in jobs.items():
        if not isinstance(job, dict) or not isinstance(job.get("steps"), list):
            continue
        used, checked_out = {}, False
        for i, step in enumerate(job["steps"]):
            if not isinstance(step, dict) or not isinstance(step.get("uses"), str):
                continue
            where = "jobs.%s.steps[%d]" % (job_id, i)
            if step["uses"].startswith("actions/checkout@"):
                checked_out = True
            match = CFLITE_ACTION.match(step["uses"])
            if not match:
                continue
            kind = match.group(1)
            inputs = step.get("with") or {}
            mode = str(inputs.get("mode", "code-change"))
            sanitizer = str(inputs.get("sanitizer", "address"))
            used[kind] = sanitizer
            if kind == "run_fuzzers" and mode not in CFLITE_MODES:
                problems.append("%s: mode '%s' is not one of %s"
                                % (where, mode, ", ".join(sorted(CFLITE_MODES))))
            if str(inputs.get("language", "c++")) != language:
                problems.append("%s: language '%s', but .clusterfuzzlite/project.yaml says '%s'"
                                % (where, inputs.get("language"), language))
            if kind == "build_fuzzers" and project.get("base_os_version") and not checked_out:
                problems.append("%s: no actions/checkout before it: without the checkout the "
                                "action cannot read base_os_version and builds on Ubuntu 20.04"
                                % where)
            problems += _check_sanitizer(where, sanitizer, mode, job, sanitizers)
            if kind == "run_fuzzers" and mode in ("code-change", "batch"):
                fuzzed.setdefault(mode, set()).update(_sanitizer_values(sanitizer, job))
        if len(set(used.values())) > 1:
            problems.append("jobs.%s: the fuzzers are built with sanitizer '%s' but run with '%s'"
                            % (job_id, used["build_fuzzers"], used["run_fuzzers"]))
    for mode, values in sorted(fuzzed.items()):
        if values != set(sanitizers):
            problems.append("%s fuzzing runs sanitizers [%s], .clusterfuzzlite/project.yaml lists "
                            "[%s]" % (mode, ", ".join(sorted(values)), ", ".join(sanitizers)))
    return problems


def _sanitizer_values(sanitizer, job):
    """The sanitizers a step's `sanitizer` input takes: the matrix's, or the literal."""
    if "${{" not in sanitizer:
        return {sanitizer}
    matrix = (job.get("strategy") or {}).get("matrix")
    return {str(v) for v in as_list(matrix.get("sanitizer"))} if isinstance(matrix, dict) else set()


def _check_sanitizer(where, sanitizer, mode, job, sanitizers):
    bodies, _ = find_expressions(sanitizer)
    if bodies:
        refs, _ = references(bodies[0])
        if len(bodies) != 1 or refs != [["matrix", "sanitizer"]]:
            return ["%s: sanitizer '%s': use a literal or ${{ matrix.sanitizer }}"
                    % (where, sanitizer)]
        values = _sanitizer_values(sanitizer, job)
        if values and values != set(sanitizers):
            return ["%s: the matrix runs sanitizers [%s], .clusterfuzzlite/project.yaml lists [%s]"
                    % (where, ", ".join(sorted(values)), ", ".join(sanitizers))]
        return []
    if sanitizer == "coverage" and mode in ("coverage", "code-change"):
        return []
    if sanitizer not in sanitizers:
        return ["%s: sanitizer '%s' is not in .clusterfuzzlite/project.yaml's [%s]"
                % (where, sanitizer, ", ".join(sanitizers))]
    return []


def dockerfile_parts(text):
    """(base image, apt packages, COPY lines) of a Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", text)
    lines = [line.strip() for line in text.splitlines()
             if line.strip() and not line.strip().startswith("#")]
    base = next((line.split()[1] for line in lines if line.upper().startswith("FROM ")), None)
    packages = set()
    for line in lines:
        for command in re.split(r"&&|;", line):
            words = command.split()
            if "apt-get" in words and "install" in words:
                packages.update(w for w in words[words.index("install") + 1:]
                                if not w.startswith("-"))
    copies = [line for line in lines if line.upper().startswith("COPY ")]
    return base, packages, copies


def check_cflite_integration(root):
    """.clusterfuzzlite/ against ci/oss-fuzz/: same base image, packages and sanitizers, the
    image's tag matching base_os_version, and build.sh handing over to ci/oss-fuzz/build.sh."""
    cfl, oss = root / ".clusterfuzzlite", root / "ci" / "oss-fuzz"
    problems = []
    for name in ("project.yaml", "Dockerfile", "build.sh"):
        if not (cfl / name).is_file():
            problems.append(".clusterfuzzlite/%s: missing" % name)
    if problems:
        return problems
    project = load_yaml((cfl / "project.yaml").read_text()) or {}
    if not isinstance(project, dict) or not project.get("language"):
        problems.append(".clusterfuzzlite/project.yaml: no language")
        project = project if isinstance(project, dict) else {}
    sanitizers = [str(s) for s in as_list(project.get("sanitizers"))]
    for s in sanitizers:
        if s not in ("address", "undefined", "memory"):
            problems.append(".clusterfuzzlite/project.yaml: unknown sanitizer '%s'" % s)
    oss_project = load_yaml((oss / "project.yaml").read_text()) or {}
    oss_sanitizers = [str(s) for s in as_list(oss_project.get("sanitizers"))]
    if sorted(sanitizers) != sorted(oss_sanitizers):
        problems.append(".clusterfuzzlite/project.yaml: sanitizers [%s], ci/oss-fuzz/project.yaml "
                        "[%s]" % (", ".join(sanitizers), ", ".join(oss_sanitizers)))
    base, packages, copies = dockerfile_parts((cfl / "Dockerfile").read_text())
    oss_base, oss_packages, _ = dockerfile_parts((oss / "Dockerfile").read_text())
    if base != oss_base:
        problems.append(".clusterfuzzlite/Dockerfile: FROM %s, ci/oss-fuzz/Dockerfile FROM %s"
                        % (base, oss_base))
    if packages != oss_packages:
        problems.append(".clusterfuzzlite/Dockerfile: packages differ from ci/oss-fuzz/Dockerfile "
                        "(only here: %s; only there: %s)"
                        % (" ".join(sorted(packages - oss_packages)) or "-",
                           " ".join(sorted(oss_packages - packages)) or "-"))
    for label, yaml_file, image in ((".clusterfuzzlite", project, base),
                                    ("ci/oss-fuzz", oss_project, oss_base)):
        version = yaml_file.get("base_os_version") if isinstance(yaml_file, dict) else None
        tag = image.rsplit(":", 1)[1] if image and ":" in image else "latest"
        if version and tag != version:
            problems.append("%s/Dockerfile: base image tag '%s', but project.yaml's "
                            "base_os_version is '%s' (the runner would not match)"
                            % (label, tag, version))
    if not any(re.search(r"\.clusterfuzzlite/build\.sh\s+\$SRC/(build\.sh)?$", c) for c in copies):
        problems.append(".clusterfuzzlite/Dockerfile: does not copy .clusterfuzzlite/build.sh to "
                        "$SRC/build.sh")
    script = [line for line in (cfl / "build.sh").read_text().splitlines()
              if not line.lstrip().startswith("#")]
    if not any("ci/oss-fuzz/build.sh" in line for line in script):
        problems.append(".clusterfuzzlite/build.sh: does not run ci/oss-fuzz/build.sh")
    if not (oss / "build.sh").is_file():
        problems.append("ci/oss-fuzz/build.sh: missing")
    return problems


# --- driver ------------------------------------------------------------------------------------

def init_workflows(parley, folder):
    """Runs `parley init folder` and returns the workflow files it wrote."""
    subprocess.run([str(parley), "init", str(folder)], check=True, stdout=subprocess.DEVNULL)
    workflows = folder / ".github" / "workflows"
    return sorted(workflows.glob("*.y*ml")) if workflows.is_dir() else []


def check_file(path, name, repo_root=None, cflite=None, policy=False):
    """Problems of the workflow at path, each prefixed with name."""
    try:
        doc = load_yaml(path.read_text())
    except (OSError, yaml.YAMLError) as e:
        return ["%s: %s" % (name, str(e).replace("\n", " "))]
    return ["%s: %s" % (name, p) for p in check_workflow(doc, repo_root, cflite, policy)]


def shown(path, base):
    """path relative to base when it lies below it."""
    try:
        return str(path.resolve().relative_to(base))
    except ValueError:
        return str(path)


def run_yamllint(paths):
    """yamllint's output for paths, or None when yamllint is not installed."""
    if not shutil.which("yamllint"):
        return None
    result = subprocess.run(["yamllint", "-s", "-f", "parsable", "-c",
                             str(ROOT / "ci" / "yamllint.yaml")] + [str(p) for p in paths],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return result.stdout.strip().splitlines() if result.returncode else []


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workflows", nargs="*", type=pathlib.Path)
    parser.add_argument("--yamllint", action="store_true", help="also run yamllint -s")
    parser.add_argument("--parley", type=pathlib.Path, help="check the workflows BIN init writes")
    parser.add_argument("--no-init", action="store_true", help="do not run parley init")
    args = parser.parse_args(argv)

    problems, linted = [], []
    project_file = ROOT / ".clusterfuzzlite" / "project.yaml"
    cflite = load_yaml(project_file.read_text()) if project_file.is_file() else None
    if args.workflows:
        own = args.workflows
    else:
        own = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
        if not own:
            problems.append(".github/workflows: no workflow")
        problems += check_cflite_integration(ROOT)
        linted += sorted((ROOT / ".clusterfuzzlite").glob("*.y*ml"))
    for path in own:
        problems += check_file(path, shown(path, ROOT), ROOT, cflite, policy=not args.workflows)
    linted += own

    with tempfile.TemporaryDirectory() as tmp:
        parley = args.parley or ROOT / "build" / "dev" / "bin" / "parley"
        if args.no_init or args.workflows and not args.parley:
            pass
        elif not parley.exists():
            print("parley init: %s not built, its workflow not checked" % parley)
        else:
            written = init_workflows(parley, pathlib.Path(tmp))
            print("parley init wrote %s" % (", ".join(p.name for p in written) or "no workflow"))
            for path in written:
                problems += check_file(path, "parley init's " + shown(path, pathlib.Path(tmp)))
            linted += written
        lint = run_yamllint(linted) if args.yamllint else []

    for problem in problems + (lint or []):
        print(problem)
    print("%d files, %d problems" % (len(linted), len(problems) + len(lint or [])))
    if problems or lint:
        return 1
    if lint is None:
        print("SKIPPED: yamllint not installed (apt-get install yamllint)")
        return 77
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
