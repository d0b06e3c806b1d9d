import re
from collections.abc import Iterator

from agentlint.findings import Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import Call, CallKind, Client, Provenance
from agentlint.rules.timeouts._unbounded import TimeoutRule, unbounded_calls

_TEST_PATH = re.compile(r"(^|/)(tests?|testing)(/|$)|(^|/)(test_[^/]*|[^/]*_test|conftest)\.py$")
_FIX = {
    "requests": "Pass `timeout=` with a finite value, e.g. `timeout=(3.05, 30)`",
    "urllib": "Pass `timeout=` with a finite number of seconds",
    "httpx": "Use a finite timeout, e.g. `timeout=httpx.Timeout(30, connect=5)`",
    "aiohttp": "Use `aiohttp.ClientTimeout(total=...)` with a finite total",
}


class HttpCallWithoutTimeout(TimeoutRule):
    """
    ## What it does
    Reports HTTP requests that can wait forever: `requests` calls (module functions and `Session`
    methods) without `timeout=`, `urllib.request.urlopen` without `timeout=`, and any `timeout=None` or
    equivalent that disables a limit: on an `httpx` call or client (`httpx.Timeout(None)`, a timeout
    with no read limit), on an `aiohttp` request, or an `aiohttp.ClientTimeout` with neither `total`
    nor `sock_read`.

    A client constructed with its timeout disabled is reported once, at the constructor, with the
    requests that go through it as related locations.

    ## Why is this bad?
    A tool or agent step that calls a server which accepts the connection and never answers blocks its
    worker forever: the orchestrator waits on the step, retries never fire, and the pipeline hangs
    without an error. `requests` and `urlopen` have no default timeout at all; httpx (5 s) and an aiohttp
    session (300 s) do, until the code turns them off.

    ## Example
    ```python
    import requests

    def fetch_page(url: str) -> str:
        return requests.get(url).text
    ```

    Use instead:
    ```python
    import requests

    def fetch_page(url: str) -> str:
        return requests.get(url, timeout=(3.05, 30)).text
    ```

    ## Known problems
    Values are resolved statically: literals, module constants (also imported from another module of
    the project, such as a settings module), `**kwargs` dict literals, `functools.partial` keywords
    (of request functions and of client methods), and clients constructed in the same scope, at
    module level (in this or another module), or as
    `self.x` in the same class. A timeout agentlint cannot resolve (a parameter, an attribute of
    another object) is assumed to be set, and a session with a mounted transport adapter or a patched
    method is assumed to be bounded. An async request is bounded by an enclosing `asyncio.timeout`,
    `asyncio.wait_for`, `anyio.fail_after` or `async_timeout.timeout`; a synchronous call is not, since
    those cannot interrupt it. If the project calls `socket.setdefaulttimeout(N)` with a number,
    `requests` and `urlopen` calls without `timeout` are not reported: anywhere when application code
    sets it, in test files when test code does (a test harness). aiohttp 4.0 gives `ClientTimeout()` a
    300 s total; the rule follows aiohttp 3.x. A request made directly in an async LangGraph node
    that the run cancels after a deadline (node `timeout=`, node defaults, `step_timeout`) is bounded.
    """

    code = "AGL101"
    name = "http-call-without-timeout"
    summary = "HTTP request that can wait forever"
    severity = Severity.ERROR

    category = CallKind.HTTP

    def client_fix(self, client: Client) -> str:
        return _FIX[client.kind.split(".")[0]]

    def call_fix(self, call: Call) -> str:
        return _FIX[call.target.split(".")[0]]

    def unbounded_calls(self, graph: PipelineGraph) -> Iterator[Call]:
        """A socket default set by application code bounds every call; one set by test code (a test
        harness) bounds the tests only."""
        setters = graph.socket_default_timeouts
        everywhere = any(not _TEST_PATH.search(where.path) for where in setters)
        in_tests = bool(setters)
        for call in unbounded_calls(graph, CallKind.HTTP):
            defaulted = call.timeout.provenance is Provenance.DEFAULT
            if defaulted and (everywhere or (in_tests and _TEST_PATH.search(call.location.path))):
                continue
            yield call
