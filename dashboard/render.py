"""This process's one kaleido server driving the system Chromium (never a downloaded browser); light to import,
so that the command line can start the browser before it loads anything else."""

import os
import shutil
import threading
from pathlib import Path
from typing import Any

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
STARTUP_SECONDS = 60
NO_BROWSER = (
    "Chart pictures are rendered by Chromium, which is not installed here: apt-get install chromium "
    "(or set BROWSER_PATH to a Chrome/Chromium binary)."
)


class ExportUnavailable(RuntimeError):
    """Pictures cannot be rendered here (no Chromium); the message says what to install."""


def chromium_path() -> str | None:
    """The Chrome/Chromium binary kaleido will drive: $BROWSER_PATH, else the first one found on PATH."""
    wanted = os.environ.get("BROWSER_PATH")
    if wanted:
        return wanted if Path(wanted).is_file() else None
    return next((p for p in map(shutil.which, BROWSERS) if p), None)


class _Renderer:
    """This process's one kaleido server: started once, then reused; one picture at a time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.started = False
        self.ready = False

    def start(self) -> None:
        """Launch the browser in kaleido's server thread without waiting for it."""
        import kaleido  # imported here: only rendering needs it

        if self.started:
            return
        browser = chromium_path()
        if browser is None:
            raise ExportUnavailable(NO_BROWSER)
        # mathjax=False: its default is a CDN script, and these machines have no internet.
        kaleido.start_sync_server(n=1, timeout=60, mathjax=False, path=browser, silence_warnings=True)
        self.started = True

    def first_call(self, spec: dict[str, Any], opts: dict[str, Any]) -> Any:
        """The first picture, waited for with a time limit: if the browser never starts, kaleido would wait forever."""
        import kaleido

        box: list[Any] = []

        def call() -> None:
            try:
                box.append(kaleido.calc_fig_sync(spec, opts=opts))
            except Exception as exc:  # handed to the caller's thread below
                box.append(exc)

        worker = threading.Thread(target=call, daemon=True, name="govpulse-kaleido-first")
        worker.start()
        worker.join(STARTUP_SECONDS)
        if not box or isinstance(box[0], Exception):
            cause = box[0] if box else TimeoutError(f"no picture within {STARTUP_SECONDS} s")
            raise ExportUnavailable(f"{chromium_path()} did not render a chart: {cause}") from None
        self.ready = True
        return box[0]

    def render(self, fig: Any, fmt: str, width: int, height: int, scale: float) -> bytes:
        import kaleido

        opts = {"format": fmt, "width": width, "height": height, "scale": scale}
        with self.lock:
            self.start()
            spec = fig.to_plotly_json()
            return bytes(kaleido.calc_fig_sync(spec, opts=opts) if self.ready else self.first_call(spec, opts))


_RENDERER = _Renderer()


def warm_up() -> None:
    """Start this process's browser now (it takes seconds) so that it is ready when the first picture is asked for."""
    with _RENDERER.lock:
        _RENDERER.start()


def render(fig: Any, fmt: str, width: int, height: int, scale: float = 1) -> bytes:
    """A plotly figure as picture bytes (png, svg, pdf, jpeg) of `width` × `height` CSS pixels times `scale`."""
    return _RENDERER.render(fig, fmt, width, height, scale)
