#!/usr/bin/python3
"""Checks every scenario file and steps file under the given folders (default: scenarios)
against docs/scenario.schema.json, as an editor's YAML language server would. targets.yaml files
are not scenarios and are left out.

PyYAML reads YAML 1.1, where a bare `on` key is the boolean true; scenarios mean the string
`on` (YAML 1.2, which parley reads), so such keys are turned back into "on" before the check.
Exits 0 when every file validates, 1 otherwise (each problem printed with its file and path),
77 when python3-jsonschema or python3-yaml is missing. Run by Debian's /usr/bin/python3, where
ci/setup.sh installs those packages."""

import json
import pathlib
import sys

try:
    import jsonschema
    import yaml
except ImportError as e:
    print("SKIPPED: %s (apt-get install python3-jsonschema python3-yaml)" % e)
    sys.exit(77)

ROOT = pathlib.Path(__file__).resolve().parent.parent


def yaml12_keys(node):
    if isinstance(node, dict):
        return {("on" if k is True else k): yaml12_keys(v) for k, v in node.items()}
    if isinstance(node, list):
        return [yaml12_keys(v) for v in node]
    return node


def main(folders):
    schema = json.loads((ROOT / "docs" / "scenario.schema.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    checked, bad = 0, 0
    for folder in folders:
        for path in sorted(pathlib.Path(folder).rglob("*.y*ml")):
            if path.name in ("targets.yaml", "targets.yml"):
                continue
            for document in yaml.safe_load_all(path.read_text()):
                if document is None:
                    continue
                checked += 1
                errors = list(validator.iter_errors(yaml12_keys(document)))
                if errors:
                    bad += 1
                    best = jsonschema.exceptions.best_match(errors)
                    where = "/".join(str(p) for p in best.absolute_path)
                    print("%s: at %s: %s" % (path, where or "top", best.message[:300]))
    print("check-schema: %d documents, %d not valid" % (checked, bad))
    return 1 if bad or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or [str(ROOT / "scenarios")]))
