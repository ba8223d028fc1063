"""The server's reads kept fresh and ready: dropped when the data change, and each country's pages read again in the
background by the server's own reader, so that the first person to open them does not wait for the database
(docs/performance.md, "Warm-up")."""

import asyncio
import logging
import threading
import time

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime import Runtime
from streamlit.runtime.runtime import RuntimeState
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.runtime.session_manager import SessionClient

from dashboard import queries

LOG = logging.getLogger("govpulse.warm")
# Every page by its address ("": the Overview, the default page), the Overview first: its reads serve most others.
PAGES = ("", "responsiveness", "growth", "coverage", "rankings", "compare", "data", "account")
POLL_S = 15.0
THREAD = "govpulse-warm"
PAGE_TIMEOUT_S = 900.0

_sessions: set[str] = set()  # the ids of the server's own sessions, never a visitor's


def is_warming() -> bool:
    """Whether the running script is the server's own reader."""
    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx is not None and ctx.session_id in _sessions


def views() -> list[str]:
    """The query strings warmed: the default view and each country's, in the default language and period."""
    places = queries.territories()
    return ["", *(f"country={code}" for code in sorted(places.index[places["level"] == "country"]))]


class _Reader(SessionClient):
    """A session's client that shows nothing: it waits for the end of the script run and keeps the errors shown."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.errors: list[str] = []
        self.elements = 0
        self.bytes = 0

    def write_forward_msg(self, msg: ForwardMsg) -> None:
        """Count the elements drawn and their size, note an exception shown, and the run's end."""
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self.elements += 1
            self.bytes += msg.ByteSize()
            if msg.delta.new_element.WhichOneof("type") == "exception":
                self.errors.append(msg.delta.new_element.exception.message)
        elif kind == "script_finished":
            self.done.set()


def open_page(runtime: Runtime, query: str, page: str) -> _Reader:
    """Run one page for a query string as a visitor's browser asks for it; what it drew."""
    # Sessions are made and closed on the server's event loop, as a browser's are.
    loop = runtime._get_async_objs().eventloop
    reader = _Reader()

    async def connect() -> str:
        session = runtime.connect_session(client=reader, user_info={})
        _sessions.add(session)
        runtime.handle_backmsg(session, BackMsg(rerun_script=ClientState(query_string=query, page_name=page)))
        return session

    session = asyncio.run_coroutine_threadsafe(connect(), loop).result()
    try:
        if not reader.done.wait(PAGE_TIMEOUT_S):
            reader.errors.append(f"not done after {PAGE_TIMEOUT_S:.0f} s")
    finally:
        loop.call_soon_threadsafe(runtime.close_session, session)
        _sessions.discard(session)
    return reader


def warm(runtime: Runtime) -> None:
    """Open every page of each view once, and log what it took."""
    began = time.perf_counter()
    for query in views():
        for page in PAGES:
            started = time.perf_counter()
            reader = open_page(runtime, query, page)
            took = time.perf_counter() - started
            shown = reader.bytes / 1e6
            LOG.info("warm-up of /%s?%s: %.1f s, %d elements, %.1f MB", page, query, took, reader.elements, shown)
            for error in reader.errors:
                LOG.warning("warm-up of /%s?%s failed: %s", page, query, error)
    LOG.info("warm-up done in %.1f s", time.perf_counter() - began)


def start() -> None:
    """Warm the views once the server runs, then again each time the data's version has changed and stayed so for a
    poll (a load's alerts come right after it), in a thread of the server's process."""

    def loop() -> None:
        while not Runtime.exists() or Runtime.instance().state == RuntimeState.INITIAL:
            time.sleep(0.2)
        runtime, warmed, seen = Runtime.instance(), None, None
        while runtime.state not in (RuntimeState.STOPPING, RuntimeState.STOPPED):
            try:
                version = queries.follow_changes()
                if version != warmed and (warmed is None or version == seen):
                    warm(runtime)
                    warmed = version
                seen = version
            except Exception:  # the pages are left to their readers; the server goes on
                if runtime.state in (RuntimeState.STOPPING, RuntimeState.STOPPED):
                    return  # stopped midway (Ctrl-C, SIGTERM): nothing to say
                LOG.exception("warm-up failed")
            time.sleep(POLL_S)

    # Its reads of the data's version run outside any page, as they should: Streamlit's warning of that is noise.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: record.threadName != THREAD
    )
    if not LOG.handlers:  # the server's log (stderr), beside Streamlit's own lines
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        LOG.addHandler(handler)
        LOG.setLevel(logging.INFO)
    threading.Thread(target=loop, name=THREAD, daemon=True).start()
