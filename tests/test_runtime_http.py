"""Runtime proof for AGL101: against a server that accepts the connection and never answers, the
request agentlint flags is still waiting after a test-sized wait, while its fixed twin gives up with a
timeout error on its own. Offline: the server is a thread on 127.0.0.1 with an ephemeral port.

Nothing here can hang the suite: requests run in daemon threads that are joined with a deadline, and
closing the server's connections releases the blocked request, which the test then waits for.
"""

from __future__ import annotations

import inspect
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from runtime_support import findings, fixture_case, imported

pytestmark = pytest.mark.runtime

RULE = "AGL101-http-call-without-timeout"
BLOCKED_WAIT = 2.0  # long enough to tell "waiting" from "failed fast", short enough for CI
GRACE = 3.0  # scheduling slack on a busy machine


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never reads or writes a byte: a hung upstream."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="silent-server", daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(connection)

    def wait_for_connections(self, count: int, deadline: float) -> bool:
        end = time.monotonic() + deadline
        while len(self.accepted) < count and time.monotonic() < end:
            time.sleep(0.01)
        return len(self.accepted) >= count

    def hang_up(self) -> None:
        """Close every accepted connection: a client blocked on it sees the connection drop."""
        for connection in self.accepted:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()
        self.hang_up()


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    try:
        yield server
    finally:
        server.close()


class Attempt:
    """Runs ``function(*args)`` in a daemon thread and records how it ended and when."""

    def __init__(self, function: Callable[..., object], *args: object) -> None:
        self.error: BaseException | None = None
        self.returned = False
        self.elapsed: float | None = None
        self._thread = threading.Thread(target=self._run, args=(function, args), daemon=True)
        self._started = time.monotonic()
        self._thread.start()

    def _run(self, function: Callable[..., object], args: tuple[object, ...]) -> None:
        try:
            function(*args)
            self.returned = True
        except BaseException as error:  # noqa: BLE001 - recorded for the assertions
            self.error = error
        finally:
            self.elapsed = time.monotonic() - self._started

    def wait(self, seconds: float) -> bool:
        """Whether it finished within ``seconds``."""
        self._thread.join(timeout=seconds)
        return not self._thread.is_alive()


def finding_rows(case: Path, relative: str, code: str = "AGL101") -> set[int]:
    return {row for found, path, row in findings(case) if found == code and path == relative}


def call_row(function: Callable[..., object], needle: str) -> int:
    """The file row of the first line of ``function`` that contains ``needle``."""
    lines, start = inspect.getsourcelines(function)
    return start + next(index for index, line in enumerate(lines) if needle in line)


def load(case: Path, module: str, function: str) -> Callable[..., object]:
    """A function of a fixture module. It keeps working after the module is unloaded, so the bad and
    ok twins (same module name, different case directories) can run side by side."""
    with imported(case, module) as (loaded,):
        return getattr(loaded, function)


def race(server: SilentServer, unbounded: Callable[..., object], bounded: Callable[..., object], url: str,
         limit: float, timeout_errors: tuple[type[BaseException], ...]) -> None:
    """Start both requests against the silent server at once. The bounded one must give up with a
    timeout error after about ``limit`` seconds; the unbounded one must still be waiting then."""
    waiting, giving_up = Attempt(unbounded, url), Attempt(bounded, url)
    try:
        assert server.wait_for_connections(2, BLOCKED_WAIT), "the requests never reached the server"
        assert not waiting.wait(BLOCKED_WAIT), f"expected the request to hang, it ended: {waiting.error!r}"
        assert giving_up.wait(limit + GRACE), f"expected a timeout within {limit:g} s, it was still waiting"
        assert isinstance(giving_up.error, timeout_errors), f"expected a timeout error, got {giving_up.error!r}"
        assert giving_up.elapsed is not None and limit - 0.5 <= giving_up.elapsed < limit + GRACE
        # The fixed twin has given up; the flagged request is still waiting on the same silent server.
        assert not waiting.wait(0), f"the unbounded request ended: {waiting.error!r}"
        assert waiting.error is None and not waiting.returned
    finally:
        server.hang_up()  # release whatever is still blocked so no thread outlives the test
        ended = waiting.wait(5) and giving_up.wait(5)
    assert ended, "a request did not end after the server hung up"


def test_requests_without_timeout_outlasts_its_fixed_twin(silent_server: SilentServer) -> None:
    requests = pytest.importorskip("requests")
    bad, ok = fixture_case(RULE, "bad-requests"), fixture_case(RULE, "ok-requests")
    unbounded = load(bad, "tools.web", "fetch_page")
    bounded = load(ok, "tools.web", "fetch_page")
    assert call_row(unbounded, "requests.get(url)") in finding_rows(bad, "tools/web.py")
    assert findings(ok) == []
    assert "timeout=10" in inspect.getsource(bounded)
    race(silent_server, unbounded, bounded, silent_server.url("/article"), 10.0, (requests.exceptions.Timeout,))


def test_httpx_timeout_none_outlasts_the_default(silent_server: SilentServer) -> None:
    httpx = pytest.importorskip("httpx")
    bad, ok = fixture_case(RULE, "bad-aliases"), fixture_case(RULE, "ok-aliases")
    unbounded = load(bad, "tools.aliased", "fetch_feed")  # `hx.get(url, timeout=None)`
    bounded = load(ok, "tools.aliased", "fetch_feed")  # `hx.get(url)`: httpx's default of 5 s
    assert call_row(unbounded, "timeout=None") in finding_rows(bad, "tools/aliased.py")
    assert findings(ok) == []
    race(silent_server, unbounded, bounded, silent_server.url("/feed.xml"), 5.0, (httpx.TimeoutException,))
