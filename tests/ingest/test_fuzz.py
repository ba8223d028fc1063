"""Random bytes, and random damage done to the valid files of tests/data: the loader answers with a clean load or a
rejection with its reason, never an exception, and a rejection leaves every table as it was."""

import io
import os
import re
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from etl.ingest.load import load_paths
from etl.store.db import make_engine
from tests.conftest import DATA, dump

FILES = {f.name: f.read_bytes() for f in sorted(DATA.glob("*.csv"))}
SHOWN = re.compile(r"[0-9]+|[\[(].*")  # an outcome without its numbers and values, for the statistics
SUFFIXES = [".csv", ".txt", ".xlsx"]
BOMS = [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    """A database file with the registries loaded (so that damaged fact files may load too), and its every row."""
    db = tmp_path_factory.mktemp("fuzz") / "prepared.db"
    engine = make_engine(f"sqlite:///{db}")
    assert all(r.ok for r in load_paths(engine, [DATA / "territories.csv", DATA / "accounts.csv"]))
    rows = dump(engine)
    engine.dispose()
    return db, rows


@cache
def workbook() -> bytes:
    """tests/data/followers.csv as an Excel workbook."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in FILES["followers.csv"].decode("utf-8").splitlines():
        sheet.append(line.split(","))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@st.composite
def damaged(draw: st.DrawFn) -> tuple[bytes, str]:
    """A valid file of tests/data (or a workbook of one) with one to three kinds of damage done to it."""
    name = draw(st.sampled_from([*sorted(FILES), "followers.xlsx"]))
    data = workbook() if name.endswith(".xlsx") else FILES[name]
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        how = draw(
            st.sampled_from(["cut", "delimiter", "quote", "cp1251", "utf-16", "nul", "long", "bom", "byte", "lines"])
        )
        if how == "cut":
            data = data[:at]
        elif how == "delimiter":
            data = data[:at] + draw(st.sampled_from([b",", b";", b"\t"])) * draw(st.integers(1, 3)) + data[at:]
        elif how == "quote":
            data = data[:at] + b'"' * draw(st.integers(1, 3)) + data[at:]
        elif how == "cp1251":
            text = data[at:].decode("utf-8", errors="ignore")
            data = data[:at] + text.encode("cp1251", errors="replace")
        elif how == "utf-16":
            encoding = draw(st.sampled_from(["utf-16", "utf-16-le"]))
            data = data[:at] + data[at:].decode("utf-8", errors="ignore").encode(encoding)
        elif how == "nul":
            data = data[:at] + b"\x00" * draw(st.integers(1, 4)) + data[at:]
        elif how == "long":
            filler = draw(st.sampled_from([b"x", b"9", b",", b'"', "ж".encode()]))
            data = data[:at] + filler * draw(st.integers(10_000, 200_000)) + data[at:]
        elif how == "bom":
            data = data[:at] + draw(st.sampled_from(BOMS)) + data[at:]
        elif how == "byte":
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
        else:
            lines = data.splitlines(keepends=True)
            data = b"".join(draw(st.lists(st.sampled_from(lines), max_size=12))) if lines else data
    return data, Path(name).suffix


@settings(
    max_examples=120,
    deadline=None,  # no timed test: a loaded machine is slow, not wrong
    derandomize=os.environ.get("CI") == "true",  # CI runs the same examples every time; a developer's run explores
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.one_of(st.tuples(st.binary(min_size=1, max_size=4000), st.sampled_from(SUFFIXES)), damaged(), damaged()))
def test_no_damage_raises_or_leaves_a_trace(prepared: tuple[Path, list[Any]], delivery: tuple[bytes, str]) -> None:
    """Whatever the bytes, one result: loaded, or rejected with its reason in one line and not a row changed."""
    db, rows = prepared
    content, suffix = delivery
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "db.sqlite"
        shutil.copyfile(db, copy)
        path = Path(folder) / f"delivery{suffix}"
        path.write_bytes(content)
        engine = make_engine(f"sqlite:///{copy}")
        try:
            [res] = load_paths(engine, [path])
            # What the examples came to, in `pytest --hypothesis-show-statistics`.
            said = res.message.removeprefix(str(path)) or (res.errors["rule"].iloc[0] if len(res.errors) else "")
            event(res.status + ": " + SHOWN.sub("", said)[:60])
            if res.status == "rejected":
                assert res.message or len(res.errors), res
                assert "\n" not in res.message and "\r" not in res.message, res.message
                assert res.message == "" or res.message.startswith(str(path)), res.message
                assert dump(engine) == rows
            else:
                # A damage that undoes itself (a cut at the end) leaves a registry already loaded.
                assert res.status in {"loaded", "already loaded"}, (res.status, res.message)
        finally:
            engine.dispose()
