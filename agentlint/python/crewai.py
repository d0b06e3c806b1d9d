"""CrewAI: agents, tasks and crews built in code or by ``@CrewBase`` classes backed by YAML, the sites
that run them, and the ``Flow`` listeners that write shared state.

Facts checked against crewai 1.15.30 (``shared/frameworks.md`` section 2): an ``Agent`` allows 25
iterations and 2 retries per task and sets no execution time or request rate limit by default; a
keyword argument wins over the ``config=`` entry unless it is ``None`` (``utilities/config.py``);
``@CrewBase`` reads ``config/agents.yaml`` and ``config/tasks.yaml`` next to the module unless the
class sets ``agents_config``/``tasks_config``; ``self.agents``/``self.tasks`` in the ``@crew`` method
are every ``@agent``/``@task`` method, tasks in definition order; ``kickoff_for_each_async`` and
``akickoff_for_each`` start one crew copy per input and gather them with no cap; the listeners of one
flow event run concurrently (``asyncio.gather``, sync methods in threads) and ``self.state`` has no lock.

Nothing is joined here: a ``@CrewBase`` agent records which YAML entry it loads, and assembly
(``agentlint.graph``) merges the entry in.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

import libcst as cst

from agentlint.findings import Location
from agentlint.ir import (
    Agent,
    Bound,
    BoundStatus,
    ConfigEntry,
    ConfigRef,
    ConfigValue,
    FanOut,
    Flow,
    FlowMethod,
    Provenance,
    RunSite,
    StateWrite,
    Task,
    Team,
)
from agentlint.python.adapter import FrameworkFacts
from agentlint.python.bounds import Given, code, explicit, find_argument, is_none, literal_string, number, opaque_kwargs
from agentlint.python.clients import Catalog
from agentlint.python.collector import CallSite, argument
from agentlint.python.context import ExtractionContext
from agentlint.python.expressions import list_elements, single_assignment
from agentlint.python.identities import object_id
from agentlint.python.scopes import Scope
from agentlint.python.values import UNKNOWN, Instance, Literal, ModuleRef

# The CLI template's ``main.py`` runs the crew without importing crewai; the fan-out methods are
# distinctive enough to parse a file for.
MODULES = ("crewai",)
# Crew runs often sit in a ``main.py`` that imports only the project's crew class.
MARKERS = ("kickoff_for_each_async", "akickoff_for_each")
HINT = re.compile(r"crewai|kickoff")
ROOTS: tuple[str, ...] = ()
CATALOG = Catalog(clients={}, functions={})
FRAMEWORK = "crewai"
AGENT, TASK, CREW, PROCESS, FLOW = "crewai.Agent", "crewai.Task", "crewai.Crew", "crewai.Process", "crewai.Flow"
CREW_BASE = "crewai.project.CrewBase"
AGENT_METHOD, TASK_METHOD, CREW_METHOD = "crewai.project.agent", "crewai.project.task", "crewai.project.crew"
LISTEN, ROUTER, START = "crewai.flow.flow.listen", "crewai.flow.flow.router", "crewai.flow.flow.start"
OR, AND = "crewai.flow.flow.or_", "crewai.flow.flow.and_"
_DSL_MODULES = {"listen": "_listen", "router": "_router", "start": "_start", "or_": "_conditions",
                "and_": "_conditions"}

CANONICAL = {
    "crewai.agent.Agent": AGENT,
    "crewai.agent.core.Agent": AGENT,
    "crewai.task.Task": TASK,
    "crewai.crew.Crew": CREW,
    "crewai.process.Process": PROCESS,
    "crewai.flow.Flow": FLOW,
    "crewai.flow.flow.Flow": FLOW,
    "crewai.flow.runtime.Flow": FLOW,
    "crewai.project.crew_base.CrewBase": CREW_BASE,
    "crewai.project.annotations.agent": AGENT_METHOD,
    "crewai.project.annotations.task": TASK_METHOD,
    "crewai.project.annotations.crew": CREW_METHOD,
    **{f"crewai.flow.{name}": f"crewai.flow.flow.{name}" for name in _DSL_MODULES},
    **{f"crewai.flow.dsl.{name}": f"crewai.flow.flow.{name}" for name in _DSL_MODULES},
    **{f"crewai.flow.dsl.{module}.{name}": f"crewai.flow.flow.{name}" for name, module in _DSL_MODULES.items()},
}

KICKOFF_METHODS = frozenset({"kickoff", "kickoff_async", "akickoff", "kickoff_for_each", "kickoff_for_each_async",
                             "akickoff_for_each"})
CONCURRENT_KICKOFFS = frozenset({"kickoff_for_each_async", "akickoff_for_each"})
AGENT_DEFAULTS: dict[str, tuple[float | None, str]] = {
    "max_iter": (25, "CrewAI's default of 25 iterations per task"),
    "max_execution_time": (None, "CrewAI sets no execution time limit by default"),
    "max_rpm": (None, "CrewAI sets no request rate limit by default"),
    "max_retry_limit": (2, "CrewAI's default of 2 retries per task"),
}
CREW_DEFAULTS: dict[str, tuple[float | None, str]] = {
    "max_rpm": (None, "CrewAI sets no request rate limit by default"),
}
SCHEMA_SETTINGS = ("output_pydantic", "output_json", "response_model")
GUARDRAIL_SETTINGS = ("guardrail", "guardrails")
DEFAULT_CONFIG = {"agents": "config/agents.yaml", "tasks": "config/tasks.yaml"}
# Calls that change a state field in place: atomic under the GIL, so concurrent ones merge.
_MUTATORS = frozenset({"append", "extend", "insert", "update", "add", "setdefault", "pop", "remove", "discard",
                       "clear", "popitem"})
_LOCKS = frozenset({"threading.Lock", "threading.RLock", "threading.Condition", "threading.Semaphore",
                    "threading.BoundedSemaphore", "asyncio.Lock", "asyncio.Condition", "asyncio.Semaphore",
                    "asyncio.BoundedSemaphore", "anyio.Lock", "anyio.Semaphore"})
# A context manager by one of these names is taken to be a lock even when its construction is out of
# sight (a class attribute, a parameter): generous, since a wrong guess only keeps rules quiet.
_LOCK_LIKE = re.compile(r"lock|mutex", re.I)
# Iterables that hand out a list in slices: ``itertools.batched``, ``more_itertools.chunked``...
_BATCHING = re.compile(r"batch|chunk", re.I)


def default_limit(name: str, defaults: dict[str, tuple[float | None, str]] = AGENT_DEFAULTS) -> Bound:
    value, detail = defaults[name]
    status = BoundStatus.UNBOUNDED if value is None else BoundStatus.BOUNDED
    return Bound(status=status, provenance=Provenance.DEFAULT, detail=detail, value=value)


@dataclass
class _CrewClass:
    """A ``@CrewBase`` class: where its YAML lives and its decorated methods, by name."""

    scope: Scope
    config: dict[str, str | None]  # "agents"/"tasks" -> project-relative YAML path (None: unreadable)
    agents: dict[str, Scope]
    tasks: dict[str, Scope]  # in definition order: the order ``self.tasks`` runs them in
    crews: dict[str, Scope]
    inherits: bool  # a base class may add ``@agent``/``@task`` methods agentlint does not see


class _Extraction:
    """One module's CrewAI objects. Ids are assigned to every ``Agent``/``Task``/``Crew`` call first,
    so that a task can name its agent and a crew its tasks whatever order they appear in."""

    def __init__(self, ctx: ExtractionContext) -> None:
        self.ctx = ctx
        self.classes = {crew.scope.dotted: crew for crew in _crew_classes(ctx)}
        self.ids: dict[int, str] = {}  # Agent/Task/Crew constructor call -> id

    def run(self) -> FrameworkFacts:
        facts = FrameworkFacts()
        sites: dict[str, list[CallSite]] = {AGENT: [], TASK: [], CREW: []}
        for site in self.ctx.facts.calls:
            kind = self.ctx.evaluator.callee(site.node, site.scope)
            if kind in sites:
                sites[kind].append(site)
                self.ids[id(site.node)] = object_id(self.ctx, site, kind.rsplit(".", 1)[1])
        facts.agents = [self._agent(site) for site in sites[AGENT]]
        facts.tasks = [self._task(site) for site in sites[TASK]]
        facts.teams = [self._team(site) for site in sites[CREW]]
        self._runs(facts)
        facts.flows = _flows(self.ctx)
        return facts

    # identities ---------------------------------------------------------------------------------
    def _crew_class(self, scope: Scope) -> _CrewClass | None:
        owner = scope.owner_class
        return self.classes.get(owner.dotted) if owner is not None else None

    def _is_self(self, expr: cst.BaseExpression, scope: Scope) -> bool:
        return isinstance(expr, cst.Name) and expr.value == scope.self_name

    def _reference(self, expr: cst.BaseExpression, scope: Scope, kind: str, depth: int = 0) -> str | None:
        """The id of the agent/task an expression refers to: a variable bound to a constructor call,
        a factory's result, or ``self.researcher()`` calling an ``@agent`` method."""
        crew = self._crew_class(scope)
        if (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and crew is not None
                and self._is_self(expr.func.value, scope)):
            methods = crew.agents if kind == AGENT else crew.tasks
            name = expr.func.attr.value
            return f"{crew.scope.dotted}.{name}" if name in methods else None
        value = self.ctx.evaluator.evaluate(expr, scope)
        if isinstance(value, Instance) and value.kind == kind:
            return self.ids.get(id(value.call))
        bound = single_assignment(expr, scope)
        if bound is not None and depth < 3:
            return self._reference(bound[0], bound[1], kind, depth + 1)
        return None

    # agents and tasks ---------------------------------------------------------------------------
    def _config_ref(self, site: CallSite, section: str) -> tuple[ConfigRef | None, bool]:
        """``config=self.agents_config["researcher"]`` in a ``@CrewBase`` class: the YAML file and key.
        The second value is False when a ``config=`` is given that cannot be read."""
        found = find_argument(self.ctx, site.node, site.scope, "config")
        if found is None:
            return None, True
        if not isinstance(found, Given):
            return None, False
        expr, scope = found.expr, found.scope
        if is_none(self.ctx.evaluator.evaluate(expr, scope)):
            return None, True
        crew = self._crew_class(scope)
        if not (crew is not None and isinstance(expr, cst.Subscript) and isinstance(expr.value, cst.Attribute)
                and self._is_self(expr.value.value, scope) and expr.value.attr.value == f"{section}_config"
                and len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index)):
            return None, False
        key = self.ctx.evaluator.evaluate(expr.slice[0].slice.value, scope)
        path = crew.config[section]
        if not (isinstance(key, Literal) and isinstance(key.value, str)) or path is None:
            return None, False
        location = self.ctx.locate(found.anchor)
        return ConfigRef(path=path, key=key.value, owner=crew.scope.dotted, location=location), True

    def _given(self, site: CallSite, keyword: str) -> Given | None | object:
        """The argument when the call sets it to something other than ``None``: a ``None`` is
        overridden by the ``config=`` entry, like an absent argument."""
        found = find_argument(self.ctx, site.node, site.scope, keyword)
        if isinstance(found, Given) and is_none(self.ctx.evaluator.evaluate(found.expr, found.scope)):
            return None
        return found

    def _agent(self, site: CallSite) -> Agent:
        config_ref, complete = self._config_ref(site, "agents")
        settings: list[str] = []
        limits: dict[str, Bound] = {}
        for name in AGENT_DEFAULTS:
            limit, given = self._limit(site, name, AGENT_DEFAULTS)
            limits[name] = limit
            if given:
                settings.append(name)
        role = self._given(site, "role")
        delegation = self._given(site, "allow_delegation")
        allow_delegation: bool | None = False
        if delegation is UNKNOWN or isinstance(delegation, Given):
            settings.append("allow_delegation")
            allow_delegation = _boolean(self.ctx, delegation)
        if isinstance(role, Given):
            settings.append("role")
        return Agent(
            id=self.ids[id(site.node)], framework=FRAMEWORK, name=literal_string(self.ctx, role),
            location=self.ctx.locate(site.node), config_ref=config_ref, limits=limits,
            allow_delegation=allow_delegation, settings=tuple(settings),
            complete=complete and not opaque_kwargs(self.ctx, site.node, site.scope),
        )

    def _limit(self, site: CallSite, name: str, defaults: dict[str, tuple[float | None, str]]) -> tuple[Bound, bool]:
        """The bound a call sets for ``name`` and whether the call decides it (a config entry cannot)."""
        found = find_argument(self.ctx, site.node, site.scope, name)
        if found is UNKNOWN:
            return Bound.unknown(f"`{name}` may come from `**kwargs` that could not be resolved"), True
        if not isinstance(found, Given):
            return default_limit(name, defaults), False
        value = self.ctx.evaluator.evaluate(found.expr, found.scope)
        if is_none(value):
            return explicit(self.ctx, found, BoundStatus.UNBOUNDED, f"`{name}=None`"), False
        limit = number(value)
        if limit is None:
            return Bound.unknown(f"`{name}={code(found.expr)}` could not be resolved statically"), True
        return explicit(self.ctx, found, BoundStatus.BOUNDED, f"`{name}={code(found.expr)}`", limit), True

    def _task(self, site: CallSite) -> Task:
        config_ref, complete = self._config_ref(site, "tasks")
        complete &= not opaque_kwargs(self.ctx, site.node, site.scope)
        given = {name: self._given(site, name) for name in
                 ("name", "agent", "context", *SCHEMA_SETTINGS, *GUARDRAIL_SETTINGS, "human_input", "async_execution")}
        settings = [name for name, found in given.items() if found is UNKNOWN or isinstance(found, Given)]
        agent = None
        if isinstance(given["agent"], Given):
            agent = self._reference(given["agent"].expr, given["agent"].scope, AGENT)
        schema = next((found for name in SCHEMA_SETTINGS if isinstance(found := given[name], Given)), None)
        guardrail = any(_present(given[name]) for name in GUARDRAIL_SETTINGS)
        context, context_location, context_complete = self._context(site, given["context"])
        return Task(
            id=self.ids[id(site.node)], framework=FRAMEWORK, name=literal_string(self.ctx, given["name"]),
            location=self.ctx.locate(site.node), config_ref=config_ref, agent=agent,
            output_schema=self._schema_name(schema), guardrail=guardrail,
            human_review=_flag(self.ctx, given["human_input"], unreadable=True),
            context=context, context_location=context_location,
            asynchronous=_flag(self.ctx, given["async_execution"], unreadable=False),
            settings=tuple(settings), complete=complete and context_complete,
        )

    def _schema_name(self, found: Given | None) -> str | None:
        if found is None:
            return None
        return self.ctx.evaluator.qualified_name(found.expr, found.scope) or code(found.expr)

    def _context(
        self, site: CallSite, found: Given | None | object
    ) -> tuple[tuple[str, ...] | None, Location | None, bool]:
        """The tasks named by ``context=``: ``None`` when not given (CrewAI's ``NOT_SPECIFIED``), empty
        when set to ``None`` or ``[]`` (no context at all)."""
        if found is None:
            explicit_none = isinstance(find_argument(self.ctx, site.node, site.scope, "context"), Given)
            return ((), None, True) if explicit_none else (None, None, True)
        if not isinstance(found, Given):
            return (), None, False
        elements = list_elements(found.expr, found.scope)
        if elements is None:
            return (), self.ctx.locate(found.anchor), False
        ids = [self._reference(expr, scope, TASK) for expr, scope in elements]
        known = tuple(task for task in ids if task is not None)
        return known, self.ctx.locate(found.anchor), len(known) == len(ids)

    # crews and their runs -----------------------------------------------------------------------
    def _team(self, site: CallSite) -> Team:
        complete = find_argument(self.ctx, site.node, site.scope, "config") is None and not opaque_kwargs(self.ctx, site.node, site.scope)
        members = {}
        for section, kind in (("agents", AGENT), ("tasks", TASK)):
            ids, readable = self._members(site, section, kind)
            members[section] = ids
            complete &= readable
        limits = {name: self._limit(site, name, CREW_DEFAULTS)[0] for name in CREW_DEFAULTS}
        crew = self._crew_class(site.scope)
        name = literal_string(self.ctx, find_argument(self.ctx, site.node, site.scope, "name"))
        return Team(
            id=self.ids[id(site.node)], framework=FRAMEWORK, location=self.ctx.locate(site.node),
            name=name or (crew.scope.dotted.rsplit(".", 1)[-1] if crew is not None else None),
            agents=members["agents"], tasks=members["tasks"], process=self._process(site), limits=limits,
            complete=complete,
        )

    def _members(self, site: CallSite, section: str, kind: str) -> tuple[tuple[str, ...], bool]:
        found = find_argument(self.ctx, site.node, site.scope, section)
        if found is None:
            return (), True
        if not isinstance(found, Given):
            return (), False
        crew = self._crew_class(found.scope)
        expr = found.expr
        if (crew is not None and isinstance(expr, cst.Attribute) and self._is_self(expr.value, found.scope)
                and expr.attr.value == section):
            methods = crew.agents if section == "agents" else crew.tasks
            return tuple(f"{crew.scope.dotted}.{name}" for name in methods), not crew.inherits
        elements = list_elements(expr, found.scope)
        if elements is None:
            return (), False
        ids = [self._reference(element, scope, kind) for element, scope in elements]
        return tuple(member for member in ids if member is not None), None not in ids

    def _process(self, site: CallSite) -> str | None:
        found = find_argument(self.ctx, site.node, site.scope, "process")
        if found is None:
            return "sequential"
        if not isinstance(found, Given):
            return None
        value = self.ctx.evaluator.evaluate(found.expr, found.scope)
        if isinstance(value, ModuleRef) and value.qualified.startswith(f"{PROCESS}."):
            return value.qualified.rsplit(".", 1)[1]
        if isinstance(value, Literal) and value.value in ("sequential", "hierarchical"):
            return str(value.value)
        return None

    def _runs(self, facts: FrameworkFacts) -> None:
        for site in self.ctx.facts.calls:
            func = site.node.func
            if not (isinstance(func, cst.Attribute) and func.attr.value in KICKOFF_METHODS):
                continue
            target = self._crew_target(func.value, site.scope)
            if target is None:
                continue
            method = func.attr.value
            location = self.ctx.locate(site.node)
            facts.run_sites.append(RunSite(id=f"{site.scope.qualname}->{target}.{method}", target=target,
                                           method=method, location=location))
            inputs = argument(site.node, "inputs", 0)
            if method in CONCURRENT_KICKOFFS and inputs is not None:
                facts.fan_outs.append(FanOut(
                    id=f"{site.scope.qualname}->crewai.Crew.{method}", mechanism=f"crewai.Crew.{method}",
                    location=location, scope=site.scope.qualname, width=_width(self.ctx, inputs, site.scope),
                    cap=_cap(self.ctx, inputs, site), spawns=target,
                ))

    def _crew_target(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> str | None:
        """What a ``kickoff`` runs: a ``Crew(...)`` by its id; else the name a crew would have if it
        is defined elsewhere (an imported crew variable or factory, ``SomeCrew().crew()`` as the
        ``@crew`` method), which assembly matches against the crews it knows."""
        value = self.ctx.evaluator.evaluate(expr, scope)
        if isinstance(value, Instance) and value.kind == CREW:
            return self.ids.get(id(value.call))
        if isinstance(value, ModuleRef):
            return value.qualified
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
            method = expr.func.attr.value
            crew = self._crew_class(scope)
            if crew is not None and self._is_self(expr.func.value, scope):
                return f"{crew.scope.dotted}.{method}" if method in crew.crews else None
            owner = self.ctx.evaluator.evaluate(expr.func.value, scope)
            if isinstance(owner, Instance) and owner.kind not in (AGENT, TASK, CREW):
                return f"{owner.kind}.{method}"
            return None
        if isinstance(expr, cst.Call):
            return self.ctx.evaluator.qualified_name(expr.func, scope)
        bound = single_assignment(expr, scope)
        if bound is not None and depth < 3:
            return self._crew_target(bound[0], bound[1], depth + 1)
        return None


def extract(ctx: ExtractionContext) -> FrameworkFacts:
    return _Extraction(ctx).run()


# @CrewBase classes --------------------------------------------------------------------------------
def _crew_classes(ctx: ExtractionContext) -> list[_CrewClass]:
    found = []
    for scope in ctx.facts.definitions:
        if scope.kind != "class" or scope.parent is None:
            continue
        node = scope.node
        assert isinstance(node, cst.ClassDef)
        decorators = (ctx.evaluator.qualified_name(_decorator_target(d), scope.parent) for d in node.decorators)
        if CREW_BASE not in decorators:
            continue
        config = {section: _config_path(ctx, scope, section) for section in DEFAULT_CONFIG}
        crew = _CrewClass(scope, config, {}, {}, {}, inherits=bool(node.bases))
        for method in ctx.facts.definitions:
            if method.parent is not scope or method.kind != "function":
                continue
            assert isinstance(method.node, cst.FunctionDef)
            for decorator in method.node.decorators:
                kind = ctx.evaluator.qualified_name(_decorator_target(decorator), scope)
                table = {AGENT_METHOD: crew.agents, TASK_METHOD: crew.tasks, CREW_METHOD: crew.crews}.get(kind or "")
                if table is not None:
                    table[method.node.name.value] = method
        found.append(crew)
    return found


def _config_path(ctx: ExtractionContext, scope: Scope, section: str) -> str | None:
    """The YAML file of ``agents_config``/``tasks_config``, relative to the project like ``ctx.path``:
    CrewAI resolves it against the directory of the module that defines the class."""
    bindings = scope.bindings.get(f"{section}_config")
    if not bindings:
        relative = DEFAULT_CONFIG[section]
    else:
        value = ctx.evaluator.evaluate(bindings[0].node, scope) if len(bindings) == 1 and bindings[0].node else UNKNOWN
        if not (isinstance(value, Literal) and isinstance(value.value, str)):
            return None
        relative = value.value
    return posixpath.normpath(posixpath.join(posixpath.dirname(ctx.path), relative))


def _decorator_target(decorator: cst.Decorator) -> cst.BaseExpression:
    return decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator


# expression helpers -------------------------------------------------------------------------------
def _flag(ctx: ExtractionContext, found: Given | None | object, *, unreadable: bool) -> bool:
    """A flag's value: False unless given, ``unreadable`` when given as something agentlint cannot
    read (an opaque ``**kwargs`` makes the whole object incomplete instead)."""
    if not isinstance(found, Given):
        return False
    value = _boolean(ctx, found)
    return unreadable if value is None else value


def _boolean(ctx: ExtractionContext, found: Given | None | object) -> bool | None:
    """A literal flag's value; ``None`` when it cannot be read."""
    if isinstance(found, Given):
        value = ctx.evaluator.evaluate(found.expr, found.scope)
        if isinstance(value, Literal) and isinstance(value.value, bool):
            return value.value
    return None


def _present(found: Given | None | object) -> bool:
    """Whether a guardrail setting holds a guardrail: given as anything but ``None`` or ``[]``."""
    if not isinstance(found, Given):
        return False
    return not (isinstance(found.expr, (cst.List, cst.Tuple)) and not found.expr.elements)


def _width(ctx: ExtractionContext, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> BoundStatus:
    """Fixed in code (a display, a constant, a comprehension over one) or following data."""
    if isinstance(expr, (cst.List, cst.Tuple)):
        fixed = not any(isinstance(element, cst.StarredElement) for element in expr.elements)
        return BoundStatus.BOUNDED if fixed else BoundStatus.UNBOUNDED
    if isinstance(expr, (cst.ListComp, cst.GeneratorExp)) and expr.for_in.inner_for_in is None:
        return _width(ctx, expr.for_in.iter, scope, depth + 1)
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value in ("list", "tuple", "range"):
        if expr.func.value == "range":
            literal = all(isinstance(ctx.evaluator.evaluate(arg.value, scope), Literal) for arg in expr.args)
            return BoundStatus.BOUNDED if literal else BoundStatus.UNBOUNDED
        return _width(ctx, expr.args[0].value, scope, depth + 1) if len(expr.args) == 1 else BoundStatus.UNKNOWN
    if isinstance(ctx.evaluator.evaluate(expr, scope), Literal):
        return BoundStatus.BOUNDED
    bound = single_assignment(expr, scope)
    if bound is not None and depth < 3:
        return _width(ctx, bound[0], bound[1], depth + 1)
    return BoundStatus.UNBOUNDED


def _cap(ctx: ExtractionContext, expr: cst.BaseExpression, site: CallSite) -> Bound:
    """A slice of the inputs, or a batch handed out by an enclosing ``for`` loop."""
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value in ("list", "tuple") \
            and len(expr.args) == 1:
        expr = expr.args[0].value
    if isinstance(expr, cst.Subscript) and expr.slice:
        index = expr.slice[0].slice
        if isinstance(index, cst.Slice) and index.upper is not None:
            return Bound(status=BoundStatus.BOUNDED, provenance=Provenance.EXPLICIT,
                         detail=f"the inputs are sliced: `{code(expr)}`", source=ctx.locate(expr))
    if isinstance(expr, cst.Name):
        for loop in site.loops:
            if (isinstance(loop, cst.For) and isinstance(loop.target, cst.Name) and loop.target.value == expr.value
                    and isinstance(loop.iter, cst.Call) and _BATCHING.search(code(loop.iter.func))):
                return Bound(status=BoundStatus.BOUNDED, provenance=Provenance.EXPLICIT,
                             detail=f"the inputs come in batches: `{code(loop.iter)}`", source=ctx.locate(loop.iter))
    return Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT,
                 detail="CrewAI starts one crew per input at once (`asyncio.gather`, no semaphore)")


# flows --------------------------------------------------------------------------------------------
def _flows(ctx: ExtractionContext) -> list[Flow]:
    flows: list[Flow] = []
    flow_classes: set[str] = set()
    for scope in ctx.facts.definitions:
        if scope.kind != "class" or scope.parent is None:
            continue
        node = scope.node
        assert isinstance(node, cst.ClassDef)
        bases = [base.value for base in node.bases if base.keyword is None]
        if not any(_is_flow_base(ctx, base, scope.parent, flow_classes) for base in bases):
            continue
        flow_classes.add(scope.dotted)
        methods, complete = [], True
        for method in ctx.facts.definitions:
            if method.parent is scope and method.kind == "function":
                found = _flow_method(ctx, method, scope)
                if found is not None:
                    methods.append(found[0])
                    complete &= found[1]
        flows.append(Flow(id=scope.dotted, framework=FRAMEWORK, location=ctx.locate_definition(scope),
                          methods=tuple(methods), complete=complete))
    return flows


def _is_flow_base(ctx: ExtractionContext, base: cst.BaseExpression, scope: Scope, flow_classes: set[str]) -> bool:
    if isinstance(base, cst.Subscript):  # ``Flow[ResearchState]``
        base = base.value
    name = ctx.evaluator.qualified_name(base, scope)
    return name == FLOW or name in flow_classes


def _flow_method(ctx: ExtractionContext, method: Scope, flow: Scope) -> tuple[FlowMethod, bool] | None:
    node = method.node
    assert isinstance(node, cst.FunctionDef)
    for decorator in node.decorators:
        kind = {LISTEN: "listen", ROUTER: "router", START: "start"}.get(
            ctx.evaluator.qualified_name(_decorator_target(decorator), flow) or "")
        if kind is None:
            continue
        call = decorator.decorator if isinstance(decorator.decorator, cst.Call) else None
        condition = argument(call, "condition", 0) if call is not None else None
        parsed = _condition(ctx, condition, flow) if condition is not None else ((), ())
        writes = _StateWrites(ctx, method)
        node.body.visit(writes)
        return FlowMethod(
            name=node.name.value, kind=kind, location=ctx.locate_definition(method), asynchronous=node.asynchronous is not None,
            triggers=parsed[0] if parsed else (), events=parsed[1] if parsed else (), state_writes=tuple(writes.found),
        ), parsed is not None
    return None


def _condition(
    ctx: ExtractionContext, expr: cst.BaseExpression, scope: Scope
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(the events any one of which fires it, every event it mentions), as CrewAI's
    ``_or_alternative_events`` and ``_iter_condition_events`` read a condition; ``None`` if unreadable.
    A method reference counts by its ``__name__``, exactly like the same name as a string."""
    if isinstance(expr, cst.Call):
        combinator = ctx.evaluator.qualified_name(expr.func, scope)
        if combinator not in (OR, AND) or any(arg.keyword or arg.star for arg in expr.args):
            return None
        parts = [_condition(ctx, arg.value, scope) for arg in expr.args]
        if any(part is None for part in parts):
            return None
        known = [part for part in parts if part is not None]
        events = tuple(event for part in known for event in part[1])
        alternatives = tuple(event for part in known for event in part[0]) if combinator == OR else ()
        return alternatives, events
    value = ctx.evaluator.evaluate(expr, scope)
    if isinstance(value, Literal) and isinstance(value.value, str):
        return (value.value,), (value.value,)
    if isinstance(value, ModuleRef):
        name = value.qualified.rsplit(".", 1)[-1]
        return (name,), (name,)
    return None


class _StateWrites(cst.CSTVisitor):
    """Writes to ``self.state`` in one flow method, and whether a lock is held around each.

    The module pass does not record which statements a ``with`` block contains, so this walks the
    bodies of flow methods only (a handful per flow); nested functions run elsewhere and are skipped."""

    def __init__(self, ctx: ExtractionContext, method: Scope) -> None:
        self.ctx = ctx
        self.scope = method
        self.found: list[StateWrite] = []
        self._locks = 0
        self._pushed: list[int] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_With(self, node: cst.With) -> None:
        locks = sum(1 for item in node.items if self._is_lock(item.item))
        self._pushed.append(locks)
        self._locks += locks

    def leave_With(self, original_node: cst.With) -> None:
        self._locks -= self._pushed.pop()

    def _is_lock(self, expr: cst.BaseExpression) -> bool:
        value = self.ctx.evaluator.evaluate(expr, self.scope)
        return (isinstance(value, Instance) and value.kind in _LOCKS) or bool(_LOCK_LIKE.search(code(expr)))

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            for element in _targets(target.target):
                self._assign(element, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assign(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        found = self._field(node.target)
        if found is None:
            return
        name, depth = found
        display = isinstance(node.value, (cst.List, cst.Tuple, cst.ListComp))
        kind = "mutate" if depth or (display and isinstance(node.operator, cst.AddAssign)) else "update"  # list +=
        self._record(name, kind, node.target, awaits=_awaits(node.value))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value in _MUTATORS):
            return
        found = self._field(func.value)
        if found is not None:
            self._record(found[0], "mutate", node)
        elif self._is_state(func.value) and func.attr.value == "update":  # dict state: ``self.state.update({...})``
            for key in _update_keys(self.ctx, node, self.scope):
                self._record(key, "assign", node)

    def _assign(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        found = self._field(target)
        if found is None:
            return
        name, depth = found
        if depth:
            self._record(name, "mutate", target)
        elif self._reads(value, name):
            self._record(name, "update", target, awaits=_awaits(value))
        else:
            constant = value if isinstance(value, (cst.Integer, cst.Float, cst.SimpleString)) or (
                isinstance(value, cst.Name) and value.value in ("True", "False", "None")) else None
            self._record(name, "assign", target, constant=code(constant) if constant is not None else None)

    def _record(
        self, name: str, kind: str, node: cst.CSTNode, awaits: bool = False, constant: str | None = None
    ) -> None:
        self.found.append(StateWrite(field=name, kind=kind, location=self.ctx.locate(node), locked=self._locks > 0,
                                     awaits=awaits, constant=constant))

    def _is_state(self, expr: cst.BaseExpression) -> bool:
        return (isinstance(expr, cst.Attribute) and expr.attr.value == "state" and isinstance(expr.value, cst.Name)
                and expr.value.value == self.scope.self_name)

    def _field(self, expr: cst.BaseExpression) -> tuple[str, int] | None:
        """The state field an expression reaches and how deep inside it: ``self.state.items`` is
        (``items``, 0), ``self.state["items"][0]`` is (``items``, 1)."""
        if isinstance(expr, cst.Attribute):
            if self._is_state(expr.value):
                return expr.attr.value, 0
            inner = self._field(expr.value)
            return (inner[0], inner[1] + 1) if inner else None
        if isinstance(expr, cst.Subscript):
            if self._is_state(expr.value):
                key = _subscript_key(self.ctx, expr, self.scope)
                return (key, 0) if key is not None else None
            inner = self._field(expr.value)
            return (inner[0], inner[1] + 1) if inner else None
        return None

    def _reads(self, value: cst.BaseExpression, name: str) -> bool:
        reader = _FieldReads(self, name)
        value.visit(reader)
        return reader.found


class _FieldReads(cst.CSTVisitor):
    def __init__(self, writes: _StateWrites, name: str) -> None:
        self.writes, self.name, self.found = writes, name, False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        found = self.writes._field(node)
        self.found |= found is not None and found[0] == self.name
        return not self.found

    def visit_Subscript(self, node: cst.Subscript) -> bool:
        return self.visit_Attribute(node)  # type: ignore[arg-type]


def _targets(target: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(target, (cst.Tuple, cst.List)):
        return [item for element in target.elements for item in _targets(element.value)]
    return [target]


def _subscript_key(ctx: ExtractionContext, expr: cst.Subscript, scope: Scope) -> str | None:
    if len(expr.slice) != 1 or not isinstance(expr.slice[0].slice, cst.Index):
        return None
    key = ctx.evaluator.evaluate(expr.slice[0].slice.value, scope)
    return key.value if isinstance(key, Literal) and isinstance(key.value, str) else None


def _update_keys(ctx: ExtractionContext, call: cst.Call, scope: Scope) -> list[str]:
    keys = [arg.keyword.value for arg in call.args if arg.keyword is not None]
    for arg in call.args:
        if arg.keyword is None and not arg.star and isinstance(arg.value, cst.Dict):
            for element in arg.value.elements:
                if isinstance(element, cst.DictElement):
                    key = ctx.evaluator.evaluate(element.key, scope)
                    if isinstance(key, Literal) and isinstance(key.value, str):
                        keys.append(key.value)
    return keys


def _awaits(expr: cst.BaseExpression) -> bool:
    finder = _AwaitFinder()
    expr.visit(finder)
    return finder.found


class _AwaitFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = False

    def visit_Await(self, node: cst.Await) -> bool:
        self.found = True
        return False


# assembly: merging the YAML entry a @CrewBase agent or task loads -------------------------------
def join_agent(agent: Agent, entry: ConfigEntry | None) -> Agent:
    """The agent with its YAML entry merged in as CrewAI's ``process_config`` does: a setting from the
    entry applies unless the code passes one (other than ``None``). A missing entry leaves the agent
    incomplete, so rules stay quiet about what it might have set."""
    if agent.config_ref is None:
        return agent
    if entry is None:
        return agent.model_copy(update={"complete": False})
    fields = {name: value for name, value in entry.fields.items() if name not in agent.settings}
    limits = {name: _config_limit(name, fields[name]) if name in fields else limit
              for name, limit in agent.limits.items()}
    update: dict[str, object] = {"config": entry.location, "limits": limits}
    if "role" in fields and isinstance(fields["role"].value, str):
        update["name"] = fields["role"].value.strip()
    if "allow_delegation" in fields:
        value = fields["allow_delegation"].value
        update["allow_delegation"] = value if isinstance(value, bool) else None
    return agent.model_copy(update=update)


def join_task(task: Task, entry: ConfigEntry | None) -> Task:
    """The task with its YAML entry merged in; names in the entry (``agent: researcher``,
    ``context: [research_task]``) are ``@agent``/``@task`` methods of the ``@CrewBase`` class."""
    ref = task.config_ref
    if ref is None:
        return task
    if entry is None:
        return task.model_copy(update={"complete": False})
    fields = {name: value for name, value in entry.fields.items() if name not in task.settings}
    update: dict[str, object] = {"config": entry.location}
    complete = task.complete
    if "agent" in fields:
        agent = fields["agent"].value
        update["agent"] = f"{ref.owner}.{agent}" if isinstance(agent, str) else None
    if "context" in fields:
        names = fields["context"].value
        if isinstance(names, list) and all(isinstance(name, str) for name in names):
            update["context"] = tuple(f"{ref.owner}.{name}" for name in names)
        elif names is None:
            update["context"] = ()
        else:
            complete = False
        update["context_location"] = fields["context"].location
    schema = next((str(fields[name].value) for name in SCHEMA_SETTINGS if name in fields and fields[name].value), None)
    if task.output_schema is None and schema is not None:
        update["output_schema"] = schema
    if any(fields[name].value for name in GUARDRAIL_SETTINGS if name in fields):
        update["guardrail"] = True
    if "human_input" in fields and fields["human_input"].value is not False:
        update["human_review"] = bool(fields["human_input"].value)
    if "async_execution" in fields:
        update["asynchronous"] = fields["async_execution"].value is True
    named = fields["name"].value if "name" in fields else None
    update["name"] = task.name or (named if isinstance(named, str) else ref.key)
    update["complete"] = complete
    return task.model_copy(update=update)


def _config_limit(name: str, setting: ConfigValue) -> Bound:
    value = setting.value
    if value is None:
        return Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.EXPLICIT,
                     detail=f"`{name}: null` in the YAML config", source=setting.location)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Bound(status=BoundStatus.BOUNDED, provenance=Provenance.EXPLICIT,
                     detail=f"`{name}: {value}` in the YAML config", value=float(value), source=setting.location)
    return Bound.unknown(f"`{name}: {value}` in the YAML config is not a number")
