"""Prints action.yml's composite steps as a workflow, so that actionlint (which reads only
workflows) checks their expressions and runs ShellCheck on their scripts. The inputs become
workflow_dispatch inputs of the same names; nothing else changes."""

import sys

import yaml

with open(sys.argv[1] if len(sys.argv) > 1 else "action.yml", encoding="utf-8") as f:
    action = yaml.safe_load(f)

inputs = {
    name: {"description": spec.get("description", name), "required": False, "type": "string"}
    for name, spec in (action.get("inputs") or {}).items()
}
workflow = {
    "name": f"action.yml as a workflow ({action['name']})",
    "on": {"workflow_dispatch": {"inputs": inputs}},
    "permissions": {},
    "jobs": {
        "action": {
            "runs-on": "ubuntu-latest",
            "steps": action["runs"]["steps"],
        }
    },
}
yaml.safe_dump(workflow, sys.stdout, sort_keys=False, width=100)
