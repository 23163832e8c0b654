"""The layout rules (DESIGN.md, "Layout"; STYLE.md habit 2), read from the source with `ast`:

- `models/` is the core: no module of it imports streamlit or plotly, imports inside
  functions included, and importing it in a fresh interpreter loads neither;
- no import cycle between the modules of `models/` and `dashboard/`, imports inside
  functions included (`from pkg import name` counts as importing `pkg/name.py` when that
  file exists, else `pkg/__init__.py`);
- no module of `models/` or `dashboard/` is over 500 lines (Alembic's migration scripts
  aside).

The checkers are plain functions, and the last tests run them on small made-up packages
with a violation in them, so that a checker which cannot fail is itself a failure.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("models", "dashboard")
FORBIDDEN_IN_MODELS = ("streamlit", "plotly")
MAX_LINES = 500
LONG_FILES_ALLOWED = ("models/migrations/versions/",)  # generated-style migration scripts
# Alembic's env.py runs migrations when imported: it is checked by reading only.
NOT_IMPORTABLE = {"models.migrations.env"}


# --- reading the source ----------------------------------------------------------------


def modules_under(root: Path, packages=PACKAGES) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file under `root/<package>`."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def imports_of(name: str, path: Path, known: set[str]) -> list[tuple[int, str]]:
    """(line, imported module) for every import statement in the file, at any depth
    (functions, classes, try blocks), relative imports resolved; plus string arguments of
    `importlib.import_module(...)` / `__import__(...)`. `from pkg import x` gives `pkg.x`
    when that is a known module, else `pkg`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if _is_package(path) else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".") if package else []
                base_parts = base_parts[: len(base_parts) - (node.level - 1)] if node.level > 1 else base_parts
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                sub = f"{base}.{alias.name}" if base else alias.name
                found.append((node.lineno, sub if sub in known else base))
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("import_module", "__import__") and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.append((node.lineno, first.value))
    return [(line, module) for line, module in found if module]


def forbidden_imports(root: Path, package: str = "models", forbidden=FORBIDDEN_IN_MODELS) -> list[str]:
    """'file:line imports module' for every import of a forbidden package under `package`."""
    modules = modules_under(root, (package,))
    offenders = []
    for name, path in modules.items():
        for line, module in imports_of(name, path, set(modules)):
            if module.split(".")[0] in forbidden:
                offenders.append(f"{path.relative_to(root)}:{line} imports {module}")
    return offenders


def import_graph(root: Path, packages=PACKAGES) -> dict[str, set[str]]:
    """Module -> the modules of `packages` it imports (itself excluded). `import a.b.c` is an
    edge to the longest known prefix of a.b.c."""
    modules = modules_under(root, packages)
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for _line, module in imports_of(name, path, known):
            parts = module.split(".")
            while parts and ".".join(parts) not in known:
                parts.pop()
            if parts:
                targets.add(".".join(parts))
        targets.discard(name)
        graph[name] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None (iterative depth-first search)."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(graph, WHITE)
    for start in sorted(graph):
        if colour[start] != WHITE:
            continue
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        colour[start] = GREY
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                colour[node] = BLACK
            elif colour.get(child, BLACK) == GREY:
                return path[path.index(child):] + [child]
            elif colour.get(child) == WHITE:
                colour[child] = GREY
                path.append(child)
                stack.append((child, iter(sorted(graph[child]))))
    return None


def long_modules(root: Path, packages=PACKAGES, limit: int = MAX_LINES) -> list[str]:
    """'file: N lines' for every module over `limit` lines (migration scripts aside)."""
    over = []
    for path in modules_under(root, packages).values():
        rel = path.relative_to(root).as_posix()
        if rel.startswith(LONG_FILES_ALLOWED):
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            over.append(f"{rel}: {lines} lines")
    return over


# --- the rules on this checkout ------------------------------------------------------------


def test_the_checkers_see_the_packages():
    modules = modules_under(ROOT)
    assert {"models.db", "models.tables", "dashboard.cli", "dashboard.app"} <= set(modules)
    graph = import_graph(ROOT)
    assert "models.tables" in graph["models.db"], graph["models.db"]  # the graph has edges


def test_models_imports_neither_streamlit_nor_plotly():
    offenders = forbidden_imports(ROOT)
    assert not offenders, "models/ imports streamlit or plotly:\n" + "\n".join(offenders)


def test_no_import_cycle_in_models_and_dashboard():
    cycle = find_cycle(import_graph(ROOT))
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_no_module_over_500_lines():
    over = long_modules(ROOT)
    assert not over, f"modules over {MAX_LINES} lines:\n" + "\n".join(over)


def test_importing_models_in_a_fresh_interpreter_loads_neither_streamlit_nor_plotly():
    names = sorted(n for n in modules_under(ROOT, ("models",)) if n not in NOT_IMPORTABLE)
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN_IN_MODELS!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "[]", f"importing models loaded: {result.stdout.strip()}"


# --- the checkers can fail -------------------------------------------------------------------


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_forbidden_imports_are_found_inside_functions(tmp_path):
    root = _tree(tmp_path, {
        "models/__init__.py": "",
        "models/ok.py": "import pandas\n",
        "models/charts.py": "def draw():\n    import plotly.express as px\n    return px\n",
        "models/sub/__init__.py": "",
        "models/sub/page.py": "try:\n    from streamlit import cache_data\nexcept ImportError:\n    pass\n",
        "models/sub/lazy.py": "import importlib\nst = importlib.import_module('streamlit')\n",
    })
    assert sorted(forbidden_imports(root)) == [
        "models/charts.py:2 imports plotly.express",
        "models/sub/lazy.py:2 imports streamlit",
        "models/sub/page.py:2 imports streamlit",
    ]


def test_a_cycle_through_a_function_level_and_a_relative_import_is_found(tmp_path):
    root = _tree(tmp_path, {
        "models/__init__.py": "",
        "models/importing/__init__.py": "from models.importing.batch import run\n",
        "models/importing/batch.py": "def run():\n    from .checks import check\n    return check\n",
        # imports a name of its own package's __init__: the cycle the house rules forbid
        "models/importing/checks.py": "from models.importing import run\ndef check():\n    return run\n",
        "dashboard/__init__.py": "",
        "dashboard/cli.py": "from models.importing import run\n",
    })
    graph = import_graph(root)
    assert graph["models.importing.batch"] == {"models.importing.checks"}
    assert graph["dashboard.cli"] == {"models.importing"}
    cycle = find_cycle(graph)
    assert cycle is not None and cycle[0] == cycle[-1], cycle
    assert set(cycle) == {"models.importing", "models.importing.batch", "models.importing.checks"}, cycle


def test_from_package_import_submodule_is_an_edge_to_the_submodule(tmp_path):
    root = _tree(tmp_path, {
        "models/__init__.py": "",
        "models/a.py": "from models import b\nfrom . import c\n",
        "models/b.py": "",
        "models/c.py": "from .. import dashboard\n",
        "dashboard/__init__.py": "from models import a\n",
    })
    graph = import_graph(root)
    assert graph["models.a"] == {"models.b", "models.c"}
    assert graph["models.c"] == {"dashboard"}
    assert find_cycle(graph) == ["dashboard", "models.a", "models.c", "dashboard"]


def test_long_modules_are_found(tmp_path):
    root = _tree(tmp_path, {
        "models/__init__.py": "",
        "models/big.py": "x = 1\n" * 501,
        "models/fine.py": "x = 1\n" * 500,
        "models/migrations/versions/0001_long.py": "x = 1\n" * 900,
        "dashboard/__init__.py": "",
    })
    assert long_modules(root) == ["models/big.py: 501 lines"]
