"""The house rules: imports run one way (dashboard → etl, never back), rooms in pipeline order, short files."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PRODUCT = ["etl", "dashboard", "bench", "scripts"]
# etl's rooms from the bottom up: a module may import its own room and the rooms below it, never above.
LAYERS = ["settings", "store", "metrics", "ingest", "collect", "demo", "cli", "__main__"]
# Arrows up that are allowed, and why: the settings validate the deadline with the working clock's own parser.
ALLOWED = {("etl.settings", "etl.metrics.worktime")}


def module_name(path: Path) -> str:
    """The dotted name of a source file of the project."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def room(module: str) -> str:
    """The room of an etl module: its first name below etl."""
    return module.split(".")[1]


def test_etl_never_imports_the_dashboard() -> None:
    """No module of etl imports dashboard (nor the benches or scripts built on it)."""
    arrows = [
        f"{module_name(p)} → {name}"
        for p in sorted((ROOT / "etl").rglob("*.py"))
        for name in imports(p)
        if name.split(".")[0] in {"dashboard", "bench", "scripts"}
    ]
    assert arrows == []


def test_etl_rooms_import_only_downwards() -> None:
    """store, metrics, ingest, collect: each imports only the rooms below it."""
    arrows = []
    for path in sorted((ROOT / "etl").rglob("*.py")):
        here = module_name(path)
        if here == "etl":
            continue
        for name in imports(path):
            allowed = any(here == a and (name == b or name.startswith(f"{b}.")) for a, b in ALLOWED)
            if name.startswith("etl.") and not allowed and LAYERS.index(room(name)) > LAYERS.index(room(here)):
                arrows.append(f"{here} → {name}")
    assert arrows == []


def test_every_etl_module_sits_in_a_known_room() -> None:
    """A new module of etl goes into one of the rooms (or the rule above learns a new one)."""
    rooms = {room(module_name(p)) for p in (ROOT / "etl").rglob("*.py") if module_name(p) != "etl"}
    assert rooms <= set(LAYERS)


@pytest.mark.parametrize("folder", PRODUCT)
def test_no_product_file_is_over_500_lines(folder: str) -> None:
    """Long modules are cut along their seams: none of the product's Python files has more than 500 lines."""
    long = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / folder).rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 500
    }
    assert long == {}


def test_the_rule_sees_an_arrow_back_up(tmp_path: Path) -> None:
    """The import scan finds an import of dashboard inside a function, the way a command once did."""
    source = tmp_path / "cli.py"
    source.write_text("def brief():\n    from dashboard.render import warm_up\n", encoding="utf-8")
    assert "dashboard.render" in imports(source)
