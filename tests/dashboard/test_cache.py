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
