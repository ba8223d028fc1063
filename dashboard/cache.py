"""The cache of the dashboard's database reads: one copy of each result for every session of the server."""

import functools
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Generic, ParamSpec, TypeVar

import pandas as pd
import streamlit as st

P = ParamSpec("P")
R = TypeVar("R")


def _own(value: Any) -> Any:
    """A caller's own handle on a shared result: shallow copies of frames (pandas copies a frame's data on its first
    write, so no caller's change reaches the cache or another session) and of the containers around them."""
    if isinstance(value, pd.DataFrame | pd.Series):
        return value.copy(deep=False)
    if isinstance(value, tuple | list):
        return type(value)(_own(v) for v in value)
    if isinstance(value, dict):
        return {k: _own(v) for k, v in value.items()}
    return value


class Shared(Generic[P, R]):
    """A read cached once for the whole server (`st.cache_resource`), each call handed its own shallow copy.

    `st.cache_data` would hand every call an unpickled copy of its own: ten readers of a country held ten copies of
    frames of 190,000 pages each (docs/performance.md, "Ten readers at once")."""

    def __init__(self, fn: Callable[P, R], ttl: float, max_entries: int | None) -> None:
        self._cached = st.cache_resource(ttl=ttl, max_entries=max_entries)(fn)
        functools.update_wrapper(self, fn)
        _ALL.append(self)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return _own(self._cached(*args, **kwargs))

    def clear(self) -> None:
        """Drop this read's cached results."""
        self._cached.clear()


_ALL: list[Shared[Any, Any]] = []


def shared(ttl: float, max_entries: int | None = 32) -> Callable[[Callable[P, R]], Shared[P, R]]:
    """Cache a database read once for every session, for `ttl` seconds, the `max_entries` argument sets used last."""
    return lambda fn: Shared(fn, ttl, max_entries)


def clear() -> None:
    """Drop every cached read (after a load changed the data); the engine and the clocks stay."""
    st.cache_data.clear()
    for read in _ALL:
        read.clear()


# The data's version last seen by this server, and when it was looked at.
_seen: dict[str, object] = {"version": None, "at": float("-inf")}
_looking = threading.Lock()
LOOK_S = 10.0


def follow(version: Callable[[], object], also: Iterable[Callable[[], None]] = (), at_once: bool = False) -> object:
    """Drop every cached read (and call `also`) when the data's `version` changed since this server last looked, at
    most one look every LOOK_S seconds (`at_once`: look now); the version seen."""
    with _looking:
        if not at_once and time.monotonic() - float(_seen["at"]) < LOOK_S:  # type: ignore[arg-type]
            return _seen["version"]
        found, before = version(), _seen["version"]
        _seen.update(version=found, at=time.monotonic())
        if before is not None and found != before:
            clear()
            for drop in also:
                drop()
    return found
