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


# What a command line of the documents stands for: a placeholder → a value the command accepts, shell → a value.
PLACEHOLDERS = {
    "PATH…": "data", "FILE…": "answers.json", "FILE": "brief.pdf", "DIR": "out", "DATE": "2026-10-01", "CODE": "RU-ALT",
    "PLATFORM": "vk", "HOST": "127.0.0.1", "PORT": "8501", "NAME": "Data", "FILE.toml": "office.toml", "$p": "vk",
    "%i": "8501",
}  # fmt: skip


def command_lines(doc: Path) -> list[str]:
    """Every `govpulse COMMAND …` line of a document's code blocks and command tables (a row starting with one),
    and of its inline code where it gives more than the command's name (a name in a sentence is no example); cut
    where the shell takes over (a pipe, a redirection, `&&`, `;`, a comment); `a\\|b` alternatives of a table read
    as their first."""
    from dashboard.cli import app

    names = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    text = doc.read_text(encoding="utf-8")
    blocks = [line for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S) for line in block.splitlines()]
    rows = re.findall(r"^\| `(govpulse [^`]+)` \|", text, re.M)
    spans = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S))
    found = []
    for line in blocks + rows + spans:
        for match in re.finditer(r"\bgovpulse ([a-z]+)(?=\s|$).*", line.replace("\\|", "\x00")):
            command = re.split(r"\s(?:&&|\|\||\||<|#)(?:\s|$)|\s\d?>|;(?:\s|$)", match.group(0))[0]
            command = re.sub(r"\x00[^\s\x00]*", "", command).strip()
            if match.group(1) in names and (line in blocks or line in rows or len(command.split()) > 2):
                found.append(command)
    return list(dict.fromkeys(found))


def test_every_command_line_of_the_documents_parses() -> None:
    """Each `govpulse …` line of README.md and docs/*.md, placeholders filled in, is a command line `govpulse`
    accepts: known command, known options, the required ones given, values of the right type."""
    import shlex

    import typer

    from dashboard.cli import app

    commands = typer.main.get_group(app).commands
    lines = [(doc, line) for doc in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
             for line in command_lines(doc)]  # fmt: skip
    assert len([d for d, _ in lines if d.name == "README.md"]) >= 13
    refused = []
    for doc, line in lines:
        words = [PLACEHOLDERS.get(w.strip("[]"), w.strip("[]")) for w in shlex.split(line)][1:]
        words = [re.sub(r"\$\([^)]*\)", "2026-10-01", w) for w in words]
        try:
            commands[words[0]].make_context(words[0], words[1:])
        except typer.TyperException as exc:  # typer's own click: an unknown or missing option, a wrong value
            refused.append(f"{doc.relative_to(ROOT)}: {line}: {exc}")
    assert refused == [], "\n".join(refused)


def test_the_readme_command_table_names_real_options() -> None:
    """Each option the command table of README.md names for a command is an option of that command."""
    import typer

    from dashboard.cli import app

    commands = typer.main.get_group(app).commands
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `govpulse ([a-z]+)[^|]*(?:\\\|[^|]*)*\|(.*)\|$", readme, re.M)
    assert len(rows) >= 9
    unknown = []
    for name, row in rows:
        known = {o for p in commands[name].params for o in p.opts}
        unknown += [f"{name} {o}" for o in re.findall(r"`(--[a-z-]+)", row) if o not in known]
    assert unknown == []


def test_the_readme_pictures_are_made_by_the_screenshot_script() -> None:
    """Every picture of docs/screenshots/ that README.md shows is one scripts/screenshots.py makes."""
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    import screenshots

    shown = re.findall(r"\(docs/screenshots/([\w-]+)\.png\)", (ROOT / "README.md").read_text(encoding="utf-8"))
    assert "scripts/screenshots.py" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert shown and set(shown) <= {*screenshots.SHOTS, screenshots.BRIEF, screenshots.DIGEST}
