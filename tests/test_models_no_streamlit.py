"""models/ is the core and never imports streamlit (DESIGN.md, "Layout"; STYLE.md habit 2)."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

MODELS = Path(__file__).resolve().parents[1] / "models"
SOURCES = sorted(MODELS.rglob("*.py"))
# Alembic's env.py runs migrations when imported; it is checked by reading only.
NOT_IMPORTABLE = {"models.migrations.env"}


def module_name(path: Path) -> str:
    parts = path.relative_to(MODELS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("import_module", "__import__"):
            names += [a.value for a in node.args[:1] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return names


def test_there_are_models_modules():
    assert {"models.db", "models.importing", "models.tables"} <= {module_name(p) for p in SOURCES}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(MODELS.parent)))
def test_module_source_does_not_import_streamlit(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    assert [m for m in imported_modules(tree) if m == "streamlit" or m.startswith("streamlit.")] == []


def test_importing_every_models_module_loads_no_streamlit():
    modules = [module_name(p) for p in SOURCES if module_name(p) not in NOT_IMPORTABLE]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=MODELS.parent, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "[]"
