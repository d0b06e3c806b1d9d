"""The pipeline IR: what per-file extraction records and assembly links.

Everything here is a pydantic model so a fragment can be cached by content hash and shipped between
processes. Identities (``id`` fields) are human-readable qualified names rather than counters: users
name them in suppressions, baselines and contracts, and fingerprints hash them, so they must survive
edits elsewhere in the file.
"""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict, JsonValue

from agentlint.findings import Location


# Graph vocabulary shared by adapters and assembly: LangGraph's entry and exit node names, and the
# target recorded for a ``Command(goto=...)`` that could not be read.
START, END = "__start__", "__end__"
UNKNOWN_TARGET = "?"


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
    # A value another module defines (``timeout=settings.TIMEOUT``, ``**HTTP_OPTIONS``): unknown to the
    # file, settled at assembly from that module's constants. ``pending_key`` is the key to read when
    # the constant is a keyword dict, and ``fallback`` the bound when the dict lacks it.
    pending: str | None = None
    pending_key: str | None = None
    fallback: Bound | None = None

    @classmethod
    def unknown(cls, detail: str) -> Bound:
        return cls(status=BoundStatus.UNKNOWN, provenance=Provenance.UNKNOWN, detail=detail)


class CallKind(str, enum.Enum):
    HTTP = "http"
    LLM = "llm"
    MCP = "mcp"
    SUBPROCESS = "subprocess"
    # A run of an agent, team or workflow (``Runner.run(agent, q)``, ``agent.run(q)``, ``team.run(task=t)``):
    # model work for the fan-out, loop and output rules, whose own time bound is the framework's.
    AGENT = "agent"


class Client(BaseModel):
    """An object whose constructor fixes a limit its calls inherit (an HTTP session, an LLM client)."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: str  # canonical constructor, e.g. ``httpx.AsyncClient``
    category: CallKind
    location: Location
    timeout: Bound
    has_timeout_setting: bool = True  # False for requests sessions: each call must bring its own
    exported_as: str | None = None  # ``pkg.mod.name`` when bound at module level, for other modules' calls
    methods: dict[str, bool] = {}  # request methods (attribute paths) and whether each is awaited
    retries: float | None = None  # the client's own retries per request (the SDKs' ``max_retries``)
    # Other methods this file calls on it (``llm._get_request_payload(...)``): a client used only for
    # those may never make a request, so an implicit default is not held against it.
    other_uses: tuple[str, ...] = ()

    def inherited_bound(self) -> Bound:
        """The bound a call gets from this client when it sets none of its own."""
        known = self.timeout.status is not BoundStatus.UNKNOWN
        return Bound(
            status=self.timeout.status,
            provenance=Provenance.INHERITED if known else Provenance.UNKNOWN,
            detail=f"from `{self.id}`: {self.timeout.detail}",
            value=self.timeout.value,
            source=self.timeout.source or self.location,
        )


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
    # A cap the callee itself puts on how many such calls run at once (a Pydantic AI agent's
    # ``max_concurrency``): a fan-out over this call is capped even without a semaphore.
    cap: Bound | None = None


class ForeignCall(BaseModel):
    """A method call on a name imported from another module (``planner_model.invoke(...)`` after
    ``from app.models import planner_model``). Extraction cannot tell what the name is; assembly
    resolves ``path`` against the clients other modules export and turns it into a ``Call``."""

    model_config = ConfigDict(frozen=True)

    path: str  # the dotted callee, e.g. ``app.models.planner_model.invoke``
    scope: str
    location: Location
    own: Bound | None = None  # a ``timeout=`` given at the call
    wrapper: Bound | None = None  # an enclosing ``asyncio.timeout``/``wait_for``


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
    send_many: bool = False  # several ``Send``s at once (a comprehension, or a list of two or more)
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
    origin: str  # "model" | "state" | "foreign" (a call on an imported name, resolved at assembly)
    source: str  # the model call's target, the state key, or the foreign callee's dotted path
    validated: bool


class GlobalUpdate(BaseModel):
    """``global X`` then ``X += n`` (or ``X = X + n``) in a function: a read-modify-write that loses
    updates when the function runs in several threads at once, unless a lock is held."""

    model_config = ConfigDict(frozen=True)

    name: str
    location: Location
    locked: bool


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
    tool: str | None = None  # the decorator that registers it as an agent tool, e.g. ``langchain_core.tools.tool``
    router: Router | None = None
    command_gotos: tuple[str, ...] = ()  # ``Command(goto=...)`` targets
    parses: tuple[ParsedOutput, ...] = ()
    raw_text_keys: tuple[str, ...] = ()  # state keys it returns holding a model's raw text
    raw_text_foreign: tuple[tuple[str, str], ...] = ()  # (key, callee path) when the model is imported
    global_updates: tuple[GlobalUpdate, ...] = ()
    # Async read-modify-writes of module-level state across an ``await`` (``name`` is the target).
    awaited_updates: tuple[GlobalUpdate, ...] = ()


class GraphNode(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    function: str | None  # qualified name of the callable, when it is a function we can resolve
    location: Location
    timeout: Bound | None = None
    retry_attempts: Bound | None = None  # a ``RetryPolicy``'s ``max_attempts`` (its own or the graph's default)


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
    """Where a graph, team, crew, workflow or agent is run, with the limits the run itself sets
    (``recursion_limit``, ``max_turns``, ``request_limit``, ``max_steps``...). ``target`` is the id of
    what runs, or the qualified name assembly resolves when it is defined in another module."""

    model_config = ConfigDict(frozen=True)

    id: str
    target: str  # id of what runs (a compiled graph's variable qualname)
    method: str
    location: Location
    limits: dict[str, Bound] = {}
    framework: str | None = None  # set by agent-framework adapters; LangGraph and CrewAI runs leave it


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
    # Limits a module-level name carries (``graph = builder.compile().with_config(recursion_limit=30)``),
    # which runs from other modules inherit.
    export_limits: dict[str, dict[str, Bound]] = {}
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
    threads: bool = False  # the branches run in threads (an executor, ``threading.Thread``, ``to_thread``)
    # One branch's exception fails the whole fan-out (``gather`` without ``return_exceptions``, a
    # ``TaskGroup``), so whatever retries the enclosing function runs every branch again.
    fails_together: bool = False


class Loop(BaseModel):
    """A hand-written loop around model calls, with what can end it."""

    model_config = ConfigDict(frozen=True)

    id: str
    location: Location
    scope: str
    calls: tuple[str, ...]  # model/agent calls made in the body
    external_exit: bool  # a counter, a length, a numeric comparison or an iteration bound can end it
    exit_detail: str


class ConfigRef(BaseModel):
    """Where an agent or task loads its settings from a config file: CrewAI's
    ``Agent(config=self.agents_config["researcher"])`` names the YAML file (through the ``@CrewBase``
    class's ``agents_config``) and the entry. ``owner`` is the class whose ``@agent``/``@task``
    methods the entry's names (``agent: researcher``, ``context: [...]``) refer to."""

    model_config = ConfigDict(frozen=True)

    path: str  # project-relative path of the YAML file
    key: str
    owner: str
    location: Location  # the ``config=`` argument


class Agent(BaseModel):
    """An LLM-backed actor. ``limits`` hold the iteration, time, rate and retry bounds by setting
    name (``max_iter``, ``max_steps``, ``max_turns``...); ``settings`` are the ones the code passes
    itself, which a config file cannot override. ``config`` is the config-file entry once assembly has
    joined it; ``complete`` is False when some setting could not be read (an opaque ``**kwargs``, a
    config agentlint cannot find).

    ``limits["tool_concurrency"]`` says whether the framework runs the tool calls of one model turn at
    once: absent when it never does, BOUNDED with value 1 when this agent runs them one at a time,
    UNKNOWN when settings agentlint cannot read may decide it. A run site carries the same key when the
    run's own settings may override the agent's.

    ``output_schema`` is whatever checks the agent's output before another agent reads it: a schema's
    qualified name (``output_type=Plan``) or a mechanism (``final_answer_checks``). ``delegates`` are
    the agents it hands work to (handoffs, agents used as its tools, managed agents), by id or, when
    defined in another module, by the qualified name assembly resolves."""

    model_config = ConfigDict(frozen=True)

    id: str  # the qualified name of the ``@agent`` method, factory or variable
    framework: str
    name: str | None  # the role
    location: Location
    config: Location | None = None
    config_ref: ConfigRef | None = None
    output_schema: str | None = None
    limits: dict[str, Bound] = {}
    allow_delegation: bool | None = None
    settings: tuple[str, ...] = ()
    complete: bool = True
    tools: tuple[str, ...] = ()
    delegates: tuple[str, ...] = ()
    handoffs: tuple[str, ...] = ()  # the delegates it hands the conversation to (the others it calls)


class Task(BaseModel):
    """A unit of work given to an agent. ``context`` lists the tasks whose output it receives
    (``None``: not specified, so a sequential crew hands it every earlier output); ``output_schema``
    and ``guardrail`` are what validates its own output before another task reads it."""

    model_config = ConfigDict(frozen=True)

    id: str
    framework: str
    name: str | None
    location: Location
    config: Location | None = None
    config_ref: ConfigRef | None = None
    agent: str | None = None
    output_schema: str | None = None
    guardrail: bool = False
    human_review: bool = False  # ``human_input=True``: a person approves the output before it moves on
    context: tuple[str, ...] | None = None
    context_location: Location | None = None
    asynchronous: bool = False
    settings: tuple[str, ...] = ()
    complete: bool = True


class Team(BaseModel):
    """An orchestrator of agents and tasks (a CrewAI ``Crew``, an AutoGen group chat, a LlamaIndex
    ``AgentWorkflow``), with the order it runs tasks in. ``limits`` hold what ends or caps it by
    setting name: ``termination_condition`` (BOUNDED when some condition outside the agents' own say-so
    must eventually fire, UNBOUNDED with DEFAULT provenance when there is none, UNBOUNDED with EXPLICIT
    provenance when every way to stop is an agent's own message), ``max_turns``, ``max_rpm``..."""

    model_config = ConfigDict(frozen=True)

    id: str  # the ``@crew`` method's or the variable's qualified name
    framework: str
    name: str | None  # ``name=``; a ``@CrewBase`` crew is named after its class
    location: Location
    agents: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    process: str | None = None  # "sequential" | "hierarchical"; None when it cannot be read
    limits: dict[str, Bound] = {}
    complete: bool = True


class Hop(BaseModel):
    """One agent's (or task's) output becoming another's input. Mechanisms: ``task-context`` and
    ``sequential`` (CrewAI tasks), ``run-output`` (the result of one agent run passed into another
    run), ``agent-as-tool`` (an agent used as another's tool), ``managed-agent`` (smolagents).
    Extraction records ``validated`` when it can decide at the site (the value passes through
    ``Model.model_validate``); otherwise assembly decides it from the producer agent's
    ``output_schema``. ``validated`` is None when the producer is not fully known."""

    model_config = ConfigDict(frozen=True)

    id: str
    producer: str  # task id
    producer_agent: str | None
    consumer: str  # task id
    consumer_agent: str | None
    mechanism: str  # "task-context" | "sequential"
    location: Location
    validated_by: str | None = None  # the schema's name, "guardrail" or "human review"
    validated: bool | None = None


class Delegation(BaseModel):
    """A sub-agent run inside a tool of another agent (pydantic-ai's agent delegation): the parent's
    usage budget covers the sub-run only when the tool passes its ``usage`` on (``usage=ctx.usage``).
    ``shares_budget`` is None when a ``**kwargs`` could hide it."""

    model_config = ConfigDict(frozen=True)

    id: str
    framework: str
    tool: str  # qualified name of the tool function
    parent: str | None  # id of the agent the tool is registered on, when known
    child: str  # id (or qualified name) of the agent run inside the tool
    location: Location  # the sub-agent's run call
    shares_budget: bool | None


class ConfigValue(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: JsonValue
    location: Location  # from the key to the end of the value


class ConfigEntry(BaseModel):
    """A top-level entry of a framework config file (``researcher:`` in ``config/agents.yaml``)."""

    model_config = ConfigDict(frozen=True)

    role: str  # "crewai-agents" | "crewai-tasks"
    key: str
    location: Location
    fields: dict[str, ConfigValue] = {}


class StateWrite(BaseModel):
    """A write to a shared state field. ``kind``: "assign" replaces the value (last writer wins),
    "update" reads and writes it back (``+=``, ``x = x + ...``), "mutate" changes it in place
    (``.append``, item assignment), which is atomic under the GIL and merges like a reducer."""

    model_config = ConfigDict(frozen=True)

    field: str
    kind: str
    location: Location
    locked: bool = False  # inside ``with lock:`` / ``async with lock:``
    awaits: bool = False  # the statement awaits between reading and writing
    constant: str | None = None  # the assigned value's source, when it is a literal


class FlowMethod(BaseModel):
    """A method of an event-driven flow. ``triggers`` are the events any one of which runs it
    (``@listen(a)``, ``@listen(or_(a, b))``); ``events`` every event its condition mentions."""

    model_config = ConfigDict(frozen=True)

    name: str
    kind: str  # "start" | "listen" | "router"
    location: Location
    asynchronous: bool = False
    triggers: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    state_writes: tuple[StateWrite, ...] = ()


class Flow(BaseModel):
    """A CrewAI ``Flow`` subclass; ``complete`` is False when some trigger could not be read."""

    model_config = ConfigDict(frozen=True)

    id: str
    framework: str
    location: Location
    methods: tuple[FlowMethod, ...] = ()
    complete: bool = True


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
    foreign_calls: tuple[ForeignCall, ...] = ()
    constants: dict[str, JsonValue] = {}  # module-level literal constants by qualified name
    agents: tuple[Agent, ...] = ()
    tasks: tuple[Task, ...] = ()
    teams: tuple[Team, ...] = ()
    flows: tuple[Flow, ...] = ()
    hops: tuple[Hop, ...] = ()
    delegations: tuple[Delegation, ...] = ()
    config_entries: tuple[ConfigEntry, ...] = ()
    environment: dict[str, ConfigValue] = {}  # variables a deployment file (.env, Dockerfile) sets
