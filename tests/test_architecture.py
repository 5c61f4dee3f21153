"""The folder tree is the map: imports at the top, and the layers hold.

The layers themselves are import-linter's contract in pyproject.toml (run by `make
lint` and `make test`); this checks what it cannot see: an import inside a function
hides a dependency from it, so only the app factory may import there.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "portal").rglob("*.py"), *(ROOT / "admin").rglob("*.py")])
PROJECT = ("portal", "admin")


def imports_inside_functions(path: Path) -> list[str]:
    """``function: module`` for every project module imported inside a function."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and inner.module:
                names = [inner.module]
            elif isinstance(inner, ast.Import):
                names = [alias.name for alias in inner.names]
            else:
                continue
            found += [f"{node.name}: {n}" for n in names if n.split(".")[0] in PROJECT]
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_project_imports_are_at_the_top(path):
    found = imports_inside_functions(path)
    if path == ROOT / "portal" / "__init__.py":
        found = [line for line in found if not line.startswith("create_app:")]
    assert found == []


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def late():\n    from portal import clock\n    return clock\n")
    assert imports_inside_functions(sample) == ["late: portal"]


def test_every_package_has_a_docstring():
    for init in (ROOT / "portal").rglob("__init__.py"):
        assert ast.get_docstring(ast.parse(init.read_text())), init
