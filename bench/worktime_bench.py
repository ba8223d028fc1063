"""Time the working-time clock and the responsiveness metrics on 10 million inquiries: bench/worktime_bench.py [N]."""

import os
import platform
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from etl.metrics.responsiveness.sums import summarise, weekly
from etl.metrics.responsiveness.timing import mature
from etl.metrics.schedules import Week
from etl.metrics.worktime import Clocks, Deadline, WorkCalendar, backlog_bucket, working_minutes
from etl.settings import Settings

ZONES = ["Asia/Almaty", "Asia/Qostanay", "Asia/Barnaul"]
START, END = pd.Timestamp("2023-01-01"), pd.Timestamp("2026-01-01")


def inquiries(n: int, seed: int = 1) -> pd.DataFrame:
    """Random receipts over 2023–2025, replies after a lognormal delay (median ≈ 3 h), one in five unanswered."""
    rng = np.random.default_rng(seed)
    start, span = START.value // 1000, (END.value - START.value) // 1000
    received = start + rng.integers(0, span, n)
    delay = (rng.lognormal(np.log(3 * 3600), 1.5, n) * 1e6).astype("int64")
    replied = np.where(rng.random(n) < 0.2, np.iinfo(np.int64).min, received + delay)
    return pd.DataFrame(
        {
            "received_at": received.view("datetime64[us]"),
            "first_reply_at": replied.view("datetime64[us]"),
            "zone": pd.Categorical.from_codes(rng.integers(0, len(ZONES), n), pd.Index(ZONES)),
        }
    )


def registry(districts: int = 1_000) -> tuple[pd.DataFrame, dict[str, Week]]:
    """A Kazakh and a Russian region with `districts` districts between them; every tenth has its own week."""
    rows = [("KZ", None, "Asia/Almaty", "KZ"), ("RU-ALT", None, "Asia/Barnaul", "RU")]
    for i in range(districts):
        parent, zone = ("KZ", ZONES[i % 2]) if i % 3 else ("RU-ALT", "Asia/Barnaul")
        rows.append((f"{parent}-{i:04d}", parent, zone, parent[:2]))
    frame = pd.DataFrame(rows, columns=["code", "parent_code", "timezone", "country_code"])
    week = Week.office("08:30", "17:30", lunch=("13:00", "13:45"))
    return frame, {code: week for code in frame["code"][2::10]}


def best(label: str, n: int, step: Callable[[], Any]) -> Any:
    """Run `step` three times; print the first and the best time."""
    timings, result = [], None
    for _ in range(3):
        t0 = time.perf_counter()
        result = step()
        timings.append(time.perf_counter() - t0)
    print(f"{label:<58} {n:>12,} rows  first {timings[0]:6.2f} s  best {min(timings):6.2f} s", flush=True)
    return result


def main(n: int) -> None:
    """Generate, time each step, print."""
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    frame = inquiries(n)
    calendar = WorkCalendar.for_country("KZ")
    received, replied = frame["received_at"], frame["first_reply_at"]
    minutes = best(
        f"working_minutes, one calendar, {len(ZONES)} zones",
        n,
        lambda: working_minutes(received, replied, frame["zone"], calendar),
    )
    territories, schedules = registry()
    clocks = Clocks.from_frame(territories, schedules)
    rng = np.random.default_rng(2)
    territory = pd.Series(pd.Categorical(rng.choice(territories["code"].to_numpy()[2:], n)), name="territory")
    label = f"Clocks.working_minutes, {len(territories):,} territories, {len(set(clocks.calendars.values()))} calendars"
    best(label, n, lambda: clocks.working_minutes(received, replied, territory))
    as_of = pd.Timestamp(END)
    met = best(
        "Clocks.deadline_met 8wh (unanswered judged as of)",
        n,
        lambda: clocks.deadline_met(received, replied, territory, "8wh", as_of=as_of),
    )
    best("Clocks.deadline_met 1wd", n, lambda: clocks.deadline_met(received, replied, territory, "1wd", as_of=as_of))
    open_ = replied.isna()
    age = best(
        "Clocks.backlog_age_working_days (unanswered only)",
        int(open_.sum()),
        lambda: clocks.backlog_age_working_days(received[open_], as_of, territory[open_]),
    )
    # Old enough to judge: the deadline has passed at the data's time (the rates count only these).
    judged = pd.DataFrame({"territory_code": territory, "received_at": received, "as_of": as_of})
    old = best("mature: cutoffs per territory (8wh)", n, lambda: mature(judged, Deadline.parse("8wh"), clocks))
    rows = pd.DataFrame(
        {
            "key": territory,
            "received_at": received,
            "first_reply_at": replied,
            "reply_min": (replied - received).dt.total_seconds() / 60,
            "work_min": minutes,
            "met": met,
            "mature": old,
            "backlog": backlog_bucket(age.reindex(frame.index)),
            "answerer": pd.Series(np.where(open_, None, "owner"), dtype=object),
            "as_of": as_of,
            "week": received.dt.normalize() - pd.to_timedelta(received.dt.day_of_week, unit="D"),
        }
    )
    settings = Settings(min_sample_inquiries=10)
    best("summarise per territory", n, lambda: summarise(rows, "key", settings))
    best("weekly per territory", n, lambda: weekly(rows, "key", START.date(), (END - pd.Timedelta(days=1)).date()))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000)
