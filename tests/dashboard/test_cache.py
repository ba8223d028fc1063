"""A shared read is computed once for every caller, holds one copy of its frames, and no caller's write reaches it."""

import numpy as np
import pandas as pd
import pytest

from dashboard import cache

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

calls: list[str] = []


@cache.shared(ttl=60)
def pages(country: str) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """A frame of pages and a dictionary with a column of it, counted per computation."""
    calls.append(country)
    frame = pd.DataFrame({"id": np.arange(1_000), "followers": np.arange(1_000) * 10})
    return frame, {"followers": frame["followers"]}


@pytest.fixture(autouse=True)
def empty() -> None:
    cache.clear()
    calls.clear()


def test_one_computation_and_one_copy_for_every_caller() -> None:
    (first, _), (second, _) = pages("RU"), pages("RU")
    assert calls == ["RU"]
    assert first is not second
    assert np.shares_memory(first["followers"].to_numpy(), second["followers"].to_numpy())


def test_a_callers_writes_never_reach_the_next_caller() -> None:
    frame, extra = pages("RU")
    frame["followers"] = 0
    frame.loc[0, "id"] = -1
    frame.drop(columns="id", inplace=True)
    extra["followers"].iloc[0] = -5
    extra["new"] = pd.Series([1])
    again, extra_again = pages("RU")
    assert list(again.columns) == ["id", "followers"]
    assert again["id"].iloc[0] == 0 and again["followers"].iloc[1] == 10
    assert extra_again["followers"].iloc[0] == 0 and set(extra_again) == {"followers"}


def test_arguments_are_keys_and_clear_drops_every_result() -> None:
    pages("RU"), pages("KZ"), pages("RU")
    assert calls == ["RU", "KZ"]
    cache.clear()
    pages("RU")
    assert calls == ["RU", "KZ", "RU"]


def test_reads_are_kept_until_the_data_version_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    """`follow` drops every read when the version it is given changes, looking at most once every LOOK_S seconds."""
    now = [1000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(cache, "_seen", {"version": None, "at": float("-inf")})
    version, dropped = [7], []
    look = lambda: cache.follow(lambda: version[0], also=[lambda: dropped.append(version[0])])  # noqa: E731

    assert look() == 7  # the first look: nothing to drop
    pages("RU")
    version[0] = 8
    now[0] += cache.LOOK_S / 2
    assert look() == 7  # too soon to look again: the reads stay
    pages("RU")
    assert calls == ["RU"] and dropped == []
    now[0] += cache.LOOK_S
    assert look() == 8
    pages("RU")
    assert calls == ["RU", "RU"] and dropped == [8]
    now[0] += cache.LOOK_S
    assert look() == 8  # the same version: kept
    pages("RU")
    assert calls == ["RU", "RU"] and dropped == [8]
