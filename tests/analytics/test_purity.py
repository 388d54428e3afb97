"""nic.analytics stays pure: no Flask, no SQLAlchemy (and no numpy) behind it, so the
web app, the API and Celery tasks can call it cheaply and tests need no app.

`nic/__init__.py` imports Flask only inside create_app, so importing nic.analytics the
ordinary way in a fresh interpreter shows exactly what it pulls in.
"""

import ast
import subprocess
import sys
from pathlib import Path

ANALYTICS = Path(__file__).resolve().parents[2] / "nic" / "analytics"
FORBIDDEN = {"flask", "sqlalchemy", "flask_sqlalchemy", "numpy"}


def test_importing_analytics_pulls_in_no_web_database_or_numeric_stack():
    code = (
        "import sys\n"
        "import nic.analytics, nic.analytics.runs, nic.analytics.spc, nic.analytics.summary\n"
        "nic.analytics.analyse('p', numerators=[1], denominators=[2])\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_analytics_modules_import_only_the_standard_library_and_each_other():
    allowed_nic = "nic.analytics"
    for path in sorted(ANALYTICS.glob("*.py")):
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
                assert top in sys.stdlib_module_names or name.startswith(allowed_nic), f"{path.name} imports {name}"
