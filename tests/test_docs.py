"""The documents say what the code does."""

import re
from pathlib import Path

from etl.ingest.contract import kinds, recognise

ROOT = Path(__file__).parent.parent


def test_data_format_lists_every_field() -> None:
    """docs/data-format.md has a row for every field of the contract, under its kind."""
    doc = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    for kind in kinds().values():
        section = doc.split(f"## {kind.name}\n", 1)[1].split("\n## ", 1)[0]
        for field in kind.fields:
            assert f"| `{field.name}` | {field.type} |" in section, (kind.name, field.name)


def test_data_format_examples_are_recognised() -> None:
    """Each example in docs/data-format.md is recognised as the kind it illustrates."""
    doc = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    for kind in kinds().values():
        section = doc.split(f"## {kind.name}\n", 1)[1]
        example = re.search(r"```csv\n(.*?)\n```", section, re.S)
        assert example, kind.name
        header = example.group(1).splitlines()[0].split(",")
        found = recognise(header)
        assert found is not None and found.name == kind.name


def test_data_format_lists_every_platform() -> None:
    """Each platform the contract knows appears in docs/data-format.md's platform rows."""
    doc = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    platforms = kinds()["accounts"].fields[0].enum or ()
    row = next(line for line in doc.splitlines() if line.startswith("| `platform` |"))
    assert [p for p in platforms if f" {p} " not in row] == []


def test_data_format_lists_the_header_names_the_loader_knows() -> None:
    """docs/data-format.md's header names are the ones of etl/ingest/headers.py (regenerate with alias_table())."""
    from etl.ingest.headers import alias_table

    doc = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    written = doc.split("<!-- header names: begin -->\n", 1)[1].split("\n<!-- header names: end -->", 1)[0]
    assert written == alias_table()


def test_links_between_documents_lead_somewhere() -> None:
    """Every relative link of README.md and docs/*.md names a file of the repository."""
    broken = []
    for doc in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            if "://" not in target and not (doc.parent / target).exists():
                broken.append(f"{doc.relative_to(ROOT)} → {target}")
    assert broken == []


def test_imports_shown_in_the_documents_work() -> None:
    """Every `from etl… import …` / `from dashboard… import …` line of README.md and docs/ names what exists."""
    import importlib

    lines = [
        line.strip()
        for doc in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
        for line in doc.read_text(encoding="utf-8").splitlines()
        if re.match(r"\s*from (etl|dashboard)[\w.]* import ", line)
    ]
    assert lines
    for line in lines:
        module, names = re.match(r"from ([\w.]+) import (.+)", line).groups()  # type: ignore[union-attr]
        found = importlib.import_module(module)
        assert all(hasattr(found, n.strip()) for n in names.split(",")), line
