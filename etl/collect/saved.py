"""API answers saved as JSON files, read into contract files through the platform's own row functions."""

import datetime as dt
import json
from pathlib import Path
from typing import Any

from etl.collect.base import Page, Platform, Saved, Window
from etl.collect.files import write_harvest
from etl.collect.run import Outcome


class NotSaved(ValueError):
    """A file is not a saved answer the platform can read: the message names the file and why."""


def read_documents(files: list[Path]) -> list[tuple[str, Any]]:
    """Each file's name and parsed JSON; NotSaved names a file that is missing or not JSON, with line and column."""
    documents = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise NotSaved(f"{path}: no such file") from None
        except UnicodeDecodeError:
            raise NotSaved(f"{path}: not a UTF-8 text file (saved API answers are JSON)") from None
        try:
            documents.append((path.name, json.loads(text)))
        except json.JSONDecodeError as exc:
            raise NotSaved(f"{path}: not JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    return documents


def saved_on(files: list[Path]) -> dt.datetime:
    """When the answers were saved, as far as the files tell: the latest modification time (UTC, whole seconds)."""
    latest = max(path.stat().st_mtime for path in files)
    return dt.datetime.fromtimestamp(int(latest), dt.UTC)


def import_saved(spec: Platform, pages: list[Page], files: list[Path], day: dt.date, saved_at: dt.datetime,
                 out_dir: Path) -> Outcome:  # fmt: skip
    """Read the saved answers of `files` for the registry's `pages` and write the contract files into `out_dir`."""
    if spec.read_saved is None:
        raise NotSaved(f"{spec.name}: saved answers cannot be imported for this platform")
    documents = read_documents(files)
    try:
        harvest = spec.read_saved(Saved(documents, pages, day, saved_at))
    except ValueError as exc:
        raise NotSaved(str(exc)) from None
    except (KeyError, TypeError) as exc:
        names = ", ".join(name for name, _ in documents)
        raise NotSaved(f"{names}: an answer lacks a field the platform always gives ({exc})") from None
    found = {row["account_id"] for rows in (harvest.followers, harvest.posts, harvest.inquiries) for row in rows}
    read = [page for page in pages if page.account_id in found]
    return Outcome(spec.name, Window(saved_at, saved_at), read, harvest, write_harvest(harvest, out_dir))
