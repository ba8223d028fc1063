"""The figures a document states, checked against the stored results: python -m bench.figures [FILE …].

A figure is a number with a unit of time, memory, speed, ratio or share, a count in millions, or a count of calls
("241 s", "1,129 MB", "80,117 rows/s", "6.5×", "41 %", "36.5 M", "2,204 calls", "12 of 24"). It is stored when the
report writes it, as it is written, from the latest run (bench/results/latest.json) or from a run the paragraph
names: by its file (`bench/results/2026-11-24-0014-10000k-rows.json`) or by its start ("the run of 2026-11-24
00:14"). Checked: all of docs/performance.md (the block the report writes is compared whole, elsewhere), and the
sentences of README.md and docs/ that cite it. Counts of pages, posts or rows say a scale, and are not checked.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bench.common import RESULTS, ROOT

UNITS = ("µs", "ms", "s", "min", "minutes", "h", "hours", "KB", "MB", "GB", "GiB", "rows/s", "×", "%", "M", "million",
         "calls", "requests")  # fmt: skip
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# Numbers sharing the unit written after the last of them: "0.17–0.38 s", "665 / 808 ms", "3.0, 2.6 and 2.3 s".
_SHARED = rf"(?:{_NUMBER})(?:\s*(?:–|/|,|and|or|to)\s*(?:{_NUMBER}))*"
_UNIT = "|".join(sorted((re.escape(u) for u in UNITS if u != "×"), key=len, reverse=True))
# A ratio's × follows its number ("6.5×"); with a space it multiplies ("27,398 × 365").
FIGURE = re.compile(rf"(?<![\w.,/=-])({_SHARED})(?:\s?({_UNIT})|(×))(?![\w/])")
OF = re.compile(r"(?<![\w.,])(\d+) of (\d+)(?![\w.,])")
RUN_FILE = re.compile(r"bench/results/([\w.-]+\.json)")
RUN_START = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})")


@dataclass(frozen=True)
class Figure:
    """A number with its unit, as a document writes it, and where."""

    number: str
    unit: str
    where: str

    def __str__(self) -> str:
        return f"{self.where}: {self.number} {self.unit}".rstrip()


def figures(text: str, where: str = "") -> list[Figure]:
    """Every figure of a text, each number of a shared unit on its own; in a table whose header names a unit ("p95
    ms"), the bare numbers of that column too."""
    found: list[Figure] = []
    units: dict[int, str] = {}
    lines = text.splitlines()
    for i, line in enumerate(lines):
        cells = line.strip().strip("|").split("|") if line.lstrip().startswith("|") else []
        if cells and i + 1 < len(lines) and re.match(r"\s*\|[-:| ]+\|\s*$", lines[i + 1]):
            units = {n: cell.split()[-1] for n, cell in enumerate(cells) if cell.split() and cell.split()[-1] in UNITS}
            cells = []
        elif not cells:
            units = {}
        for n, cell in enumerate(cells):
            if n in units and re.fullmatch(rf"\s*(?:{_NUMBER})\s*", cell):
                found.append(Figure(cell.strip(), units[n], where))
        for match in FIGURE.finditer(line):
            unit = match.group(2) or match.group(3)
            found += [Figure(number, unit, where) for number in re.findall(_NUMBER, match.group(1))]
        found += [Figure(f"{a} of {b}", "", where) for a, b in OF.findall(line)]
    return found


def _key(figure: Figure) -> tuple[str, str]:
    return figure.number.replace(",", ""), figure.unit


@cache
def _runs(results: Path) -> dict[str, dict[str, Any]]:
    from bench import report

    return report.stored(results)


@cache
def written(results: Path = RESULTS, name: str = "latest.json") -> frozenset[tuple[str, str]]:
    """The figures the report writes from one stored run, as if it were the latest, as (number, unit)."""
    from bench import report

    text = report.render(results) if name == "latest.json" else report.table(_runs(results)[name], _runs(results))
    return frozenset(_key(f) for f in figures(text))


def named(text: str, results: Path = RESULTS) -> list[str]:
    """The stored runs a text names, by file or by start, and the latest."""
    runs = _runs(results)
    starts = {run["started"][:16].replace("T", " "): name for name, run in runs.items()}
    found = [name for name in RUN_FILE.findall(text) if name in runs]
    found += [starts[f"{day} {time}"] for day, time in RUN_START.findall(text) if f"{day} {time}" in starts]
    return ["latest.json", *dict.fromkeys(found)]


def paragraphs(text: str, name: str) -> list[tuple[str, str]]:
    """A document cut where a reader's eye starts anew (blank lines, list items, headings, a table whole), each
    piece with its first line; code blocks count as text."""
    out, lines = [], text.splitlines()
    start = 0
    for i, line in enumerate([*lines, ""]):
        table_goes_on = line.lstrip().startswith("|") and i > start and lines[i - 1].lstrip().startswith("|")
        if i == len(lines) or not line.strip() or (re.match(r"\s*(?:[-*] |\||#)", line) and not table_goes_on):
            if i > start:
                out.append((f"{name}:{start + 1}", "\n".join(lines[start:i])))
            start = i if line.strip() else i + 1
    return out


def cited(text: str, name: str) -> list[tuple[str, str]]:
    """The sentences of a document that cite docs/performance.md (a link to it), each with its line."""
    out = []
    for where, paragraph in paragraphs(
        re.sub(r"```.*?```", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S), name
    ):
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z`*(\[])", paragraph):
            if re.search(r"\]\([./]*(?:docs/)?performance\.md", sentence):
                out.append((where, " ".join(sentence.split())))
    return out


def checked(root: Path = ROOT) -> list[tuple[str, str]]:
    """(where, text) of what is checked: docs/performance.md outside the report's block, paragraph by paragraph,
    and the sentences of the other documents citing it."""
    from bench.report import END, START

    performance = root / "docs" / "performance.md"
    text = performance.read_text(encoding="utf-8")
    if START in text and END in text:
        head, rest = text.split(START, 1)
        block, tail = rest.split(END, 1)
        text = head + "\n" * (block.count("\n") + 1) + tail
    out = paragraphs(text, "docs/performance.md")
    for doc in [root / "README.md", *sorted((root / "docs").rglob("*.md"))]:
        if doc != performance:
            out += cited(doc.read_text(encoding="utf-8"), str(doc.relative_to(root)))
    return out


def unstored(texts: list[tuple[str, str]], results: Path = RESULTS) -> list[Figure]:
    """The figures of the texts that the report writes from none of the runs they may cite."""
    missing = []
    for where, text in texts:
        allowed = frozenset().union(*(written(results, name) for name in named(text, results)))
        missing += [f for f in figures(text, where) if _key(f) not in allowed]
    return missing


def main(paths: list[str]) -> None:
    """Print each figure no stored result gives; exit 1 if there is one."""
    texts = [piece for p in paths for piece in paragraphs(Path(p).read_text(encoding="utf-8"), p)] or checked()
    missing = unstored(texts)
    for figure in missing:
        print(f"{figure}: written from no stored run it may cite")
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
