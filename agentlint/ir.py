"""The pipeline IR: what per-file extraction records and assembly links.

Everything here is a pydantic model so a fragment can be cached by content hash and shipped between
processes. Identities (``id`` fields) are human-readable qualified names rather than counters: users
name them in suppressions, baselines and contracts, and fingerprints hash them, so they must survive
edits elsewhere in the file.
"""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict

from agentlint.findings import Location


class BoundStatus(str, enum.Enum):
    BOUNDED = "bounded"
    UNBOUNDED = "unbounded"
    UNKNOWN = "unknown"


class Provenance(str, enum.Enum):
    """Where a bound (or the lack of one) comes from; rules report only what the site itself decides."""

    EXPLICIT = "explicit"  # written at this site (``timeout=30`` or ``timeout=None``)
    INHERITED = "inherited"  # from the client/session the call goes through
    WRAPPER = "wrapper"  # an enclosing ``asyncio.timeout``/``wait_for``/``anyio.fail_after``
    DEFAULT = "default"  # the library's default, bounded or not
    UNKNOWN = "unknown"  # a value agentlint could not resolve statically


class Bound(BaseModel):
    """A resolved limit (seconds, turns, workers...) with its provenance, so a message can say why."""

    model_config = ConfigDict(frozen=True)

    status: BoundStatus
    provenance: Provenance
    detail: str
    value: float | None = None
    source: Location | None = None

    @classmethod
    def unknown(cls, detail: str) -> Bound:
        return cls(status=BoundStatus.UNKNOWN, provenance=Provenance.UNKNOWN, detail=detail)


class CallKind(str, enum.Enum):
    HTTP = "http"
    LLM = "llm"
    MCP = "mcp"


class Client(BaseModel):
    """An object whose constructor fixes a limit its calls inherit (an HTTP session, an LLM client)."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: str  # canonical constructor, e.g. ``httpx.AsyncClient``
    category: CallKind
    location: Location
    timeout: Bound
    has_timeout_setting: bool = True  # False for requests sessions: each call must bring its own


class Call(BaseModel):
    """A call that can block: the site, what it calls, and the time bound that applies to it."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: CallKind
    target: str  # canonical callee, e.g. ``requests.Session.get``
    scope: str  # qualified name of the enclosing function (or the module)
    location: Location
    timeout: Bound
    client: str | None = None


class StateKey(BaseModel):
    """A key of a graph's state schema; ``reducer`` is what merges concurrent writes (``None``: the
    key keeps the last value, and two writes in one step are an error in LangGraph)."""

    model_config = ConfigDict(frozen=True)

    name: str
    reducer: str | None
    location: Location


class StateSchema(BaseModel):
    """A TypedDict / pydantic / dataclass state. ``bases`` are qualified names of parent schemas,
    possibly in other modules, merged at assembly."""

    model_config = ConfigDict(frozen=True)

    id: str  # qualified name, e.g. ``app.state.ResearchState``
    kind: str  # "typeddict" | "pydantic" | "dataclass" | "messages-state"
    location: Location
    keys: tuple[StateKey, ...] = ()
    bases: tuple[str, ...] = ()


class Writes(BaseModel):
    """The state keys a node function returns; ``complete`` is False when some return could not be
    read (a variable, a call), so a rule must not conclude a key is *not* written."""

    model_config = ConfigDict(frozen=True)

    keys: tuple[str, ...] = ()
    complete: bool = True


class Router(BaseModel):
    """A function that picks the next node(s) (a conditional edge's path function).

    ``targets`` are the node names or ``END`` it can return; ``sends`` the nodes it fans out to with
    ``Send``, and whether that list is as long as some data (``send_width``); ``external_exit`` is True
    when the decision compares against a counter, a length or LangGraph's remaining-steps budget,
    i.e. something other than the model's own output bounds the loop."""

    model_config = ConfigDict(frozen=True)

    id: str
    location: Location
    targets: tuple[str, ...] = ()
    targets_complete: bool = True
    sends: tuple[str, ...] = ()
    send_data_dependent: bool = False
    send_capped: bool = False
    external_exit: bool = False


class ParsedOutput(BaseModel):
    """Free text parsed into data (``json.loads``, ``ast.literal_eval``, ``yaml.safe_load``) inside a
    function: where the text came from (a model call in the same function, or a state key), and
    whether the function validates anything against a schema afterwards."""

    model_config = ConfigDict(frozen=True)

    location: Location
    parser: str
    origin: str  # "model" | "state"
    source: str  # the model call's target, or the state key
    validated: bool


class FunctionFacts(BaseModel):
    """What agentlint knows about a function or method that a graph, a fan-out or a loop may run:
    the state it writes, the calls it makes, and its routing decisions."""

    model_config = ConfigDict(frozen=True)

    id: str  # qualified name
    location: Location
    asynchronous: bool = False
    writes: Writes = Writes(complete=False)
    calls: tuple[str, ...] = ()  # HTTP/LLM calls made directly in the body (targets)
    invokes: tuple[str, ...] = ()  # other functions it calls, by qualified name
    limits_concurrency: bool = False  # enters a semaphore-like context manager
    router: Router | None = None
    command_gotos: tuple[str, ...] = ()  # ``Command(goto=...)`` targets
    parses: tuple[ParsedOutput, ...] = ()
    raw_text_keys: tuple[str, ...] = ()  # state keys it returns holding a model's raw text


class GraphNode(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    function: str | None  # qualified name of the callable, when it is a function we can resolve
    location: Location
    timeout: Bound | None = None


class GraphEdge(BaseModel):
    model_config = ConfigDict(frozen=True)

    sources: tuple[str, ...]  # several sources: a join (fan-in) that waits for all of them
    target: str
    kind: str  # "static" | "conditional" | "send" | "command"
    location: Location


class ConditionalEdge(BaseModel):
    model_config = ConfigDict(frozen=True)

    source: str
    router: str | None  # qualified name of the path function
    path_map: tuple[str, ...] | None  # targets given explicitly, if any
    location: Location


class RunSite(BaseModel):
    """Where a graph/team/crew is run, with the limits its run config sets."""

    model_config = ConfigDict(frozen=True)

    id: str
    target: str  # id of what runs (a compiled graph's variable qualname)
    method: str
    location: Location
    limits: dict[str, Bound] = {}


class Graph(BaseModel):
    """A LangGraph ``StateGraph`` as built in code: nodes, edges, conditional edges and compile sites."""

    model_config = ConfigDict(frozen=True)

    id: str  # qualified name of the builder variable
    framework: str
    location: Location
    state: str | None  # qualified name of the state schema
    nodes: tuple[GraphNode, ...] = ()
    edges: tuple[GraphEdge, ...] = ()
    conditional: tuple[ConditionalEdge, ...] = ()
    compiled: tuple[str, ...] = ()  # qualified names the compiled graph is bound to
    complete: bool = True  # False when some builder call could not be read (a loop, a helper)
    step_timeout: Bound | None = None


class Retry(BaseModel):
    """A retry loop around a function or block (tenacity, backoff); ``stop`` bounds the attempts or time."""

    model_config = ConfigDict(frozen=True)

    id: str
    mechanism: str  # e.g. ``tenacity.retry``
    location: Location
    stop: Bound
    target: str | None = None  # the decorated function's qualified name


class FanOut(BaseModel):
    """Work spawned concurrently: ``gather`` over a comprehension, ``create_task`` in a loop.

    ``width`` says whether the number of branches is fixed in code or follows data; ``cap`` is what
    limits concurrency (a semaphore, a slice, a ``max_concurrency``); ``work`` the calls a branch makes
    (LLM/HTTP targets, or the function it runs), so a rule can tell agent fan-out from CPU work."""

    model_config = ConfigDict(frozen=True)

    id: str
    mechanism: str
    location: Location
    scope: str
    width: BoundStatus  # BOUNDED: fixed in code, UNBOUNDED: follows data, UNKNOWN
    cap: Bound
    work: tuple[str, ...] = ()
    spawns: str | None = None  # qualified name of the function each branch runs


class Loop(BaseModel):
    """A hand-written loop around model calls, with what can end it."""

    model_config = ConfigDict(frozen=True)

    id: str
    location: Location
    scope: str
    calls: tuple[str, ...]  # model/agent calls made in the body
    external_exit: bool  # a counter, a length, a numeric comparison or an iteration bound can end it
    exit_detail: str


class Fragment(BaseModel):
    """Everything one file contributes to the pipeline graph."""

    model_config = ConfigDict(frozen=True)

    path: str
    module: str
    clients: tuple[Client, ...] = ()
    calls: tuple[Call, ...] = ()
    socket_default_timeout: Location | None = None  # ``socket.setdefaulttimeout(N)`` seen in this file
    exports: dict[str, str] = {}  # module-level imports: ``pkg.mod.name`` -> what it refers to (re-exports)
    schemas: tuple[StateSchema, ...] = ()
    functions: tuple[FunctionFacts, ...] = ()
    graphs: tuple[Graph, ...] = ()
    run_sites: tuple[RunSite, ...] = ()
    retries: tuple[Retry, ...] = ()
    fan_outs: tuple[FanOut, ...] = ()
    loops: tuple[Loop, ...] = ()
