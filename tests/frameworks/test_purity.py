"""nic.frameworks stays pure: standard library and PyYAML only, no Flask or SQLAlchemy,
so services, the API, tasks and these tests can use it without an app or a database."""

import ast
import subprocess
import sys
from pathlib import Path

FRAMEWORKS = Path(__file__).resolve().parents[2] / "nic" / "frameworks"
FORBIDDEN = {"flask", "sqlalchemy", "flask_sqlalchemy", "nic.models", "nic.extensions"}


def test_importing_frameworks_pulls_in_no_web_or_database_stack():
    code = (
        "import sys\n"
        "import nic.frameworks\n"
        "nic.frameworks.list_builtin()\n"
        f"forbidden = {sorted(FORBIDDEN)!r}\n"
        "heavy = sorted(m for m in sys.modules if any(m == f or m.startswith(f + '.') for f in forbidden))\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_framework_modules_import_only_the_standard_library_yaml_and_each_other():
    for path in sorted(FRAMEWORKS.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top == "yaml" or name.startswith("nic.frameworks"), (
                    f"{path.name} imports {name}"
                )
