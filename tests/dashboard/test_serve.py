"""`govpulse serve` and `make run`: a taken port is one line naming the option, and a signal ends the whole server."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dashboard.cli import app
from dashboard.listen import problem

sys.path.insert(0, str(Path(__file__).parents[2] / "scripts"))
import screenshots

ROOT = Path(__file__).parents[2]
GOVPULSE = Path(sys.executable).with_name("govpulse")


@pytest.fixture
def taken() -> Iterator[int]:
    """A port somebody else listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def alive(where: str) -> list[tuple[int, int, int, str]]:
    """Every live process: pid, parent pid, process group and command name (`where` is /proc)."""
    found = []
    for stat in Path(where).glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended while we looked
            continue
        name, fields = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()
        if fields[0] not in "ZX":
            found.append((int(stat.parent.name), int(fields[1]), int(fields[2]), name))
    return found


def family(pid: int) -> set[int]:
    """`pid`, its descendants, and its process group: what a stopped server must not leave behind."""
    procs = alive("/proc")
    found = {pid} | {p for p, _, group, _ in procs if group == pid}
    while more := {p for p, parent, _, _ in procs if parent in found} - found:
        found |= more
    return found


def left(pids: set[int]) -> list[str]:
    """Those of `pids` still running, with their names."""
    return [f"{p} {name}" for p, _, _, name in alive("/proc") if p in pids]


@contextmanager
def served(
    env: dict[str, str], cwd: Path, port: int | None = None, log_to: Path | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`govpulse serve` in `cwd` on `port` (by default a free one) in a process group of its own, once healthy: its
    URL and process; whatever is left of it is killed at the end. Its log goes to `log_to`; its warm-up is off
    unless `env` sets GOVPULSE_WARM_UP."""
    port = port or screenshots.free_port()
    with open(log_to, "w+b") if log_to else tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [str(GOVPULSE), "serve", "--port", str(port)], env={"GOVPULSE_WARM_UP": "false", **env}, cwd=cwd,
            stdout=log, stderr=log,
            start_new_session=True,
        )  # fmt: skip
        try:
            screenshots.wait_healthy(f"http://127.0.0.1:{port}", proc, log)
            yield f"http://127.0.0.1:{port}", proc
        finally:
            for pid in family(proc.pid):
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            proc.wait()


def stop(proc: subprocess.Popen[bytes], sig: signal.Signals) -> float:
    """Send `sig` to the server; check that it exits with 0 and leaves no process of its own behind and its port
    free; the seconds it took."""
    port = int(proc.args[-1])  # type: ignore[index]
    ours = family(proc.pid)
    started = time.monotonic()
    proc.send_signal(sig)
    assert proc.wait(timeout=30) == 0
    while left(ours) and time.monotonic() - started < 10:
        time.sleep(0.1)
    assert left(ours) == []
    assert problem("127.0.0.1", port) is None
    return time.monotonic() - started


def test_taken_port_is_one_line(taken: int) -> None:
    """`govpulse serve` on a taken port says so in one line naming --port and exits 1, without a traceback."""
    result = CliRunner().invoke(app, ["serve", "--port", str(taken)])
    assert result.exit_code == 1
    assert result.output == f"Error: port {taken} is in use: choose another with --port\n"


@pytest.mark.parametrize(
    ("host", "said"),
    [
        ("192.0.2.1", "192.0.2.1 is not an address of this machine: give --host one of its own"),
        ("no-such-host.invalid", "host 'no-such-host.invalid' is not known here: give --host an address"),
    ],
)
def test_foreign_host_is_one_line(host: str, said: str) -> None:
    """An address that is not this machine's is named in one line with the option that sets it."""
    result = CliRunner().invoke(app, ["serve", "--host", host, "--port", str(screenshots.free_port())])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {said}")
    assert result.output.count("\n") == 1


def test_make_run_on_a_taken_port_is_one_line(taken: int) -> None:
    """`make run PORT=…` on a taken port prints the one line, nothing of make's own, and exits 1 at once."""
    started = time.monotonic()
    # As from a shell: this test may itself run under `make test`, whose make would name its folders.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    command = ["make", "run", f"PORT={taken}"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (
        1,
        f"port {taken} is in use: choose another with make run PORT=…\n",
        "",
    )
    assert time.monotonic() - started < 10  # nothing was installed or built


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_ends_the_whole_server(tmp_path: Path, sig: signal.Signals) -> None:
    """SIGTERM (systemd, docker stop) or SIGINT (Ctrl-C) sent to `govpulse serve` stops the server it started:
    no process of its group is left and the port is free again."""
    env = os.environ | {"GOVPULSE_DATA_DIR": str(tmp_path), "GOVPULSE_DATABASE_URL": ""}
    with served(env, tmp_path) as (_, proc):
        seconds = stop(proc, sig)
    print(f"{sig.name}: the server stopped in {seconds:.1f} s")
