"""nic.analytics stays pure: no Flask, no SQLAlchemy, no I/O behind it, so the web app,
the API and Celery tasks can call it cheaply and tests need no app. numpy is the one
package it may use (the rules run over whole arrays; see nic/analytics/__init__.py).

`nic/__init__.py` imports Flask only inside create_app, so importing nic.analytics the
ordinary way in a fresh interpreter shows exactly what it pulls in.
"""

import ast
import subprocess
import sys
from pathlib import Path

ANALYTICS = Path(__file__).resolve().parents[2] / "nic" / "analytics"
FORBIDDEN = {"flask", "sqlalchemy", "flask_sqlalchemy", "werkzeug", "celery", "redis", "psycopg", "pandas", "scipy"}
ALLOWED_PACKAGES = {"numpy"}


def test_importing_analytics_pulls_in_no_web_or_database_stack():
    code = (
        "import sys\n"
        "import nic.analytics, nic.analytics.runs, nic.analytics.spc, nic.analytics.summary\n"
        "nic.analytics.analyse('p', numerators=[1], denominators=[2])\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_analytics_modules_import_only_the_standard_library_numpy_and_each_other():
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
                assert top in sys.stdlib_module_names or top in ALLOWED_PACKAGES or name.startswith(allowed_nic), (
                    f"{path.name} imports {name}"
                )


def test_analytics_does_no_io():
    # No files, sockets, environment or clocks: the same input always gives the same answer.
    banned = {"open", "os", "socket", "pathlib", "time", "datetime.now", "random", "logging"}
    for path in sorted(ANALYTICS.glob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "open", f"{path.name} opens a file"
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not {m.split(".")[0] for m in modules} & banned, f"{path.name} imports {modules}"
