"""LlamaIndex workflows: ``Workflow`` subclasses, ``AgentWorkflow`` and the agent classes, the sites
that run them, and the steps a loop of ``ctx.send_event`` runs several copies of at once.

Facts checked against llama-index-workflows 2.26.1 and llama-index-core 0.14.25 (``shared/frameworks.md``
section 7):

- ``llama_index.core.workflow`` re-exports ``Workflow``, ``step`` and ``Context`` from ``workflows``
  (``llama_index/core/workflow/workflow.py:1``, ``decorators.py:1-10``, ``context.py:1``; its ``step``
  only drops the old ``pass_context`` argument); ``workflows/__init__.py:6-8`` exports them at the root.
- ``Workflow(timeout=45.0)``: 45 s by default, ``None`` disables it (``workflows/workflow.py:102,116-119``).
- ``AgentWorkflow(..., timeout=None)`` (``llama_index/core/agent/workflow/multi_agent_workflow.py:110,118``),
  ``AgentWorkflow.from_tools_or_functions(..., timeout=None)`` (``multi_agent_workflow.py:862,898``) and
  every ``BaseWorkflowAgent`` (``FunctionAgent``, ``ReActAgent``) with ``timeout=None``
  (``base_agent.py:169,205``): the agent classes override the 45 s default with none. ``CodeActAgent``
  has its own ``__init__`` without ``timeout`` or ``**kwargs`` (``codeact_agent.py:83-124``): none, always.
- ``run(max_iterations=None)`` means ``DEFAULT_MAX_ITERATIONS = 20`` (``base_agent.py:67,797,305-309``;
  ``multi_agent_workflow.py:295-299``); a ``start_event=`` given instead carries its own.
- ``can_handoff_to=None`` lets an agent hand off to every other agent of its ``AgentWorkflow``
  (``multi_agent_workflow.py:229-235,259-262``); ``output_cls``/``structured_output_fn`` shape the
  agent's output (``base_agent.py:165-166``).
- ``@step(num_workers=4)``: a step runs up to four copies at once (``workflows/decorators.py:125,136,154``),
  one per event it receives; ``ctx.send_event`` is ``workflows/context/context.py:487``.

Runs (``handler = wf.run(...)``) are agent ``Call``s and ``RunSite``s; a handler awaited only under
``asyncio.timeout``/``wait_for`` bounds the run. One agent's run result passed as another agent's
``user_msg`` is a ``run-output`` hop. A project with its own top-level ``workflows`` package shadows the
engine: assembly then drops this adapter's facts (``ROOTS``). Only workflow classes defined in the same
module are recognised as such, and only runs of objects built in the same module are followed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from agentlint.ir import Agent, Bound, BoundStatus, Call, CallKind, Provenance, RunSite, Team
from agentlint.python.adapter import FrameworkFacts
from agentlint.python.bounds import (
    Given,
    code,
    find_argument,
    given_limit,
    is_none,
    literal_string,
    opaque_kwargs,
    wrapper_bound,
)
from agentlint.python.clients import Catalog
from agentlint.python.collector import TIMEOUT_WRAPPERS, CallSite, Wrapper, argument
from agentlint.python.context import ExtractionContext
from agentlint.python.expressions import list_elements
from agentlint.python.identities import object_id
from agentlint.python.llama_index_steps import CONTEXT, STEP, step_fan_outs
from agentlint.python.run_outputs import add_hops, sources
from agentlint.python.scopes import Scope
from agentlint.python.values import UNKNOWN, Instance, Literal

MODULES = ("llama_index", "workflows")
HINT = re.compile(r"llama_index|workflows")
FRAMEWORK = "llama-index"
ROOTS: tuple[str, ...] = ("workflows",)
CATALOG = Catalog(clients={}, functions={})

WORKFLOW = "workflows.workflow.Workflow"
_PARALLEL_TOOLS = Bound(status=BoundStatus.BOUNDED, provenance=Provenance.DEFAULT, value=4.0,
                        detail="one event per tool call, handled by a step with four workers")
_AGENT_PACKAGE = "llama_index.core.agent.workflow"
AGENT_WORKFLOW = f"{_AGENT_PACKAGE}.multi_agent_workflow.AgentWorkflow"
FROM_TOOLS = f"{AGENT_WORKFLOW}.from_tools_or_functions"
CODE_ACT_AGENT = f"{_AGENT_PACKAGE}.codeact_agent.CodeActAgent"
AGENT_CLASSES = frozenset({f"{_AGENT_PACKAGE}.function_agent.FunctionAgent", f"{_AGENT_PACKAGE}.react_agent.ReActAgent",
                           CODE_ACT_AGENT})
CANONICAL = {
    **{f"{package}.Workflow": WORKFLOW for package in ("workflows", "llama_index.core.workflow",
                                                        "llama_index.core.workflow.workflow")},
    **{f"{package}.step": STEP for package in ("workflows", "llama_index.core.workflow",
                                                "llama_index.core.workflow.decorators")},
    **{f"{package}.Context": CONTEXT for package in ("workflows", "workflows.context", "llama_index.core.workflow",
                                                      "llama_index.core.workflow.context")},
    **{f"{package}.{name.rsplit('.', 1)[1]}": name for package in (_AGENT_PACKAGE, "llama_index.core.agent")
       for name in (AGENT_WORKFLOW, *AGENT_CLASSES)},
}
DEFAULT_MAX_ITERATIONS = 20
_DEFAULT_ITERATIONS = Bound(status=BoundStatus.BOUNDED, provenance=Provenance.DEFAULT, value=DEFAULT_MAX_ITERATIONS,
                            detail=f"LlamaIndex's default of {DEFAULT_MAX_ITERATIONS} iterations per run")
_TIMEOUT_DEFAULTS = {
    WORKFLOW: Bound(status=BoundStatus.BOUNDED, provenance=Provenance.DEFAULT, value=45.0,
                    detail="LlamaIndex's `Workflow` default of 45 s"),
    AGENT_WORKFLOW: Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT,
                          detail="`AgentWorkflow` defaults to `timeout=None`"),
    **{agent: Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT,
                    detail=f"`{agent.rsplit('.', 1)[1]}` defaults to `timeout=None`") for agent in AGENT_CLASSES},
    CODE_ACT_AGENT: Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT,
                          detail="`CodeActAgent` takes no `timeout` and runs with none"),
}
# What a factory builds, for its defaults and the name of its run.
_BUILDS = {FROM_TOOLS: AGENT_WORKFLOW}


@dataclass(frozen=True)
class _WorkflowClass:
    """A class of this module derived from ``Workflow``, ``AgentWorkflow`` or an agent class; ``root``
    is the framework class it derives from, ``init`` its nearest own ``__init__`` in this module."""

    scope: Scope
    root: str
    init: Scope | None


@dataclass(frozen=True)
class _Built:
    """A construction of a workflow or agent: its id, ``kind`` the class or factory called and ``root``
    the framework class that decides its defaults."""

    site: CallSite
    id: str
    kind: str
    root: str

    @property
    def name(self) -> str:
        return _label(self.kind, self.root)


def _label(kind: str, root: str) -> str:
    """The class a construction builds, by its short name (a factory's by the class it returns)."""
    return (root if kind in _BUILDS else kind).rsplit(".", 1)[-1]


class _Extraction:
    def __init__(self, ctx: ExtractionContext) -> None:
        self.ctx = ctx
        self.classes = _workflow_classes(ctx)
        self.built: dict[int, _Built] = {}  # construction call -> what it builds
        self.handoffs: dict[str, tuple[str, ...] | None] = {}  # agent id -> ``can_handoff_to`` (None: not given)

    def run(self) -> FrameworkFacts:
        for site in self.ctx.facts.calls:
            kind = self.ctx.evaluator.callee(site.node, site.scope) or ""
            root = self.classes[kind].root if kind in self.classes else _BUILDS.get(kind, kind)
            if kind in self.classes or (root in _TIMEOUT_DEFAULTS and root != WORKFLOW):
                self.built[id(site.node)] = _Built(site, object_id(self.ctx, site, _label(kind, root)), kind, root)
        facts = FrameworkFacts()
        agents = {built.id: self._agent(built) for built in self.built.values() if built.root in AGENT_CLASSES}
        for built in self.built.values():
            if built.root not in AGENT_CLASSES:
                facts.teams.append(self._team(built, agents))
        facts.agents = list(agents.values())
        self._runs(facts)
        facts.fan_outs = step_fan_outs(self.ctx, [workflow.scope for workflow in self.classes.values()])
        return facts

    # constructions --------------------------------------------------------------------------------
    def _timeout(self, built: _Built) -> Bound:
        """The time limit a construction gives the workflow: the class's own ``__init__`` may fix it
        (``super().__init__(timeout=None)``), forward the caller's, or drop it."""
        site = built.site
        workflow_class = self.classes.get(built.kind)
        init = workflow_class.init if workflow_class else None
        if built.root == CODE_ACT_AGENT and init is None:  # its ``__init__`` takes no ``timeout``
            return _TIMEOUT_DEFAULTS[CODE_ACT_AGENT]
        if init is None:  # ``Workflow.__init__`` takes ``timeout`` first; the agent classes by keyword
            found = find_argument(self.ctx, site.node, site.scope, "timeout", 0 if built.root == WORKFLOW else None)
            return given_limit(self.ctx, found, "timeout", _TIMEOUT_DEFAULTS[built.root])
        supers = [call for call in self.ctx.facts.calls if call.scope is init and _is_super_init(call.node)]
        if len(supers) != 1:
            return Bound.unknown(f"`{built.name}.__init__` decides the timeout")
        inner = find_argument(self.ctx, supers[0].node, init, "timeout")
        forwarded = _parameter(inner, init)
        if inner is UNKNOWN or forwarded is not None:  # ``**kwargs`` or ``timeout=timeout`` passed on
            given = find_argument(self.ctx, site.node, site.scope, forwarded or "timeout")
            if given is None and forwarded is not None:
                required = Bound.unknown(f"`{built.name}.__init__` requires `{forwarded}`")
                return given_limit(self.ctx, _parameter_default(init, forwarded), "timeout", required)
            return given_limit(self.ctx, given, "timeout", _TIMEOUT_DEFAULTS[built.root])
        return given_limit(self.ctx, inner, "timeout", _TIMEOUT_DEFAULTS[built.root])

    def _handoffs(self, site: CallSite) -> tuple[str, ...] | None:
        found = find_argument(self.ctx, site.node, site.scope, "can_handoff_to")
        names = self.ctx.evaluator.evaluate(found.expr, found.scope) if isinstance(found, Given) else None
        if names is None or is_none(names):
            return None
        if isinstance(names, Literal) and isinstance(names.value, tuple):
            return tuple(name for name in names.value if isinstance(name, str))
        return ()

    def _agent(self, built: _Built) -> Agent:
        site = built.site
        self.handoffs[built.id] = self._handoffs(site)
        settings = tuple(name for name in ("timeout", "output_cls", "structured_output_fn", "can_handoff_to")
                         if find_argument(self.ctx, site.node, site.scope, name) is not None)
        name = literal_string(self.ctx, find_argument(self.ctx, site.node, site.scope, "name"))
        return Agent(
            id=built.id, framework=FRAMEWORK, name=name, location=self.ctx.locate(site.node),
            output_schema=self._schema(site), settings=settings,
            limits={"timeout": self._timeout(built), "tool_concurrency": self._tool_concurrency(site)},
            complete=not opaque_kwargs(self.ctx, site.node, site.scope), tools=tuple(self._names(site, "tools")[0]),
        )

    def _tool_concurrency(self, site: CallSite) -> Bound:
        """An agent sends one ``ToolCall`` event per tool call to a ``call_tool`` step with four
        workers, unless ``allow_parallel_tool_calls=False`` (``function_agent.py:27``)."""
        found = find_argument(self.ctx, site.node, site.scope, "allow_parallel_tool_calls")
        if found is UNKNOWN:
            return Bound.unknown("`allow_parallel_tool_calls` may come from `**kwargs` that could not be resolved")
        if isinstance(found, Given):
            value = self.ctx.evaluator.evaluate(found.expr, found.scope)
            if not isinstance(value, Literal):
                return Bound.unknown(f"`allow_parallel_tool_calls={code(found.expr)}` could not be read")
            if value.value is False:
                return Bound(status=BoundStatus.BOUNDED, provenance=Provenance.EXPLICIT, value=1.0,
                             detail="`allow_parallel_tool_calls=False`", source=self.ctx.locate(found.anchor))
        return _PARALLEL_TOOLS

    def _schema(self, site: CallSite) -> str | None:
        found = find_argument(self.ctx, site.node, site.scope, "output_cls")
        if isinstance(found, Given) and not is_none(self.ctx.evaluator.evaluate(found.expr, found.scope)):
            return self.ctx.evaluator.qualified_name(found.expr, found.scope) or code(found.expr)
        if isinstance(find_argument(self.ctx, site.node, site.scope, "structured_output_fn"), Given):
            return "structured_output_fn"
        return None

    def _names(self, site: CallSite, keyword: str) -> tuple[list[str], bool]:
        """What a list argument holds (agent ids for agents built here, else qualified names or
        source) and whether the whole list could be read."""
        found = find_argument(self.ctx, site.node, site.scope, keyword)
        elements = list_elements(found.expr, found.scope) if isinstance(found, Given) else None
        names = []
        for expr, scope in elements or ():
            value = self.ctx.evaluator.evaluate(expr, scope)
            built = self.built.get(id(value.call)) if isinstance(value, Instance) else None
            names.append(built.id if built else self.ctx.evaluator.qualified_name(expr, scope) or code(expr))
        return names, found is None or elements is not None

    def _team(self, built: _Built, agents: dict[str, Agent]) -> Team:
        """The workflow, and the handoffs between its agents: each agent's ``can_handoff_to`` names,
        or every other member when it names none."""
        site = built.site
        names, readable = self._names(site, "agents")
        members = tuple(member for member in names if member in agents)
        by_name = {agents[member].name or "Agent": member for member in members}
        for member in members:
            handoffs = self.handoffs[member]
            targets = [name for name in by_name if name != agents[member].name] if handoffs is None else handoffs
            agents[member] = agents[member].model_copy(
                update={"delegates": tuple(by_name[name] for name in targets if name in by_name)})
        return Team(
            id=built.id, framework=FRAMEWORK, name=built.name, location=self.ctx.locate(site.node), agents=members,
            limits={"timeout": self._timeout(built)},
            complete=readable and len(members) == len(names) and not opaque_kwargs(self.ctx, site.node, site.scope),
        )

    # runs -----------------------------------------------------------------------------------------
    def _runs(self, facts: FrameworkFacts) -> None:
        agent_runs: dict[int, _Built] = {}  # run call -> the agent it runs
        for site in self.ctx.facts.calls:
            func = site.node.func
            if not (isinstance(func, cst.Attribute) and func.attr.value == "run"):
                continue
            value = self.ctx.evaluator.evaluate(func.value, site.scope)
            built = self.built.get(id(value.call)) if isinstance(value, Instance) else None
            if built is None:
                continue
            location = self.ctx.locate(site.node)
            limits: dict[str, Bound] = {}
            if built.root != WORKFLOW:
                limits["max_iterations"] = self._iterations(site)
            if built.root in AGENT_CLASSES:
                agent_runs[id(site.node)] = built
            bounded = _handler_bound(self.ctx, site)
            if bounded is not None:
                limits["timeout"] = bounded
            run_id = f"{site.scope.qualname}->{built.id}.run"
            facts.run_sites.append(RunSite(id=run_id, target=built.id, method="run", location=location,
                                           limits=limits, framework=FRAMEWORK))
            own = next((item.limits["timeout"] for item in (*facts.teams, *facts.agents) if item.id == built.id), None)
            facts.calls.append(Call(id=run_id, kind=CallKind.AGENT, target=f"{built.root}.run",
                                    scope=site.scope.qualname, location=location,
                                    timeout=bounded or own or Bound.unknown("the workflow's timeout is not known")))
        self._hops(facts, agent_runs)

    def _hops(self, facts: FrameworkFacts, agent_runs: dict[int, _Built]) -> None:
        """One agent's run result passed as another agent's ``user_msg`` (followed by ``run_outputs``)."""
        producers = {key: built.id for key, built in agent_runs.items()}
        for site in self.ctx.facts.calls:
            consumer = agent_runs.get(id(site.node))
            message = argument(site.node, "user_msg", 0) if consumer is not None else None
            if consumer is None or message is None:
                continue
            found = sources(self.ctx, message, site.scope, lambda call: producers.get(id(call)))
            add_hops(facts.hops, found, consumer.id, self.ctx.locate(site.node))

    def _iterations(self, site: CallSite) -> Bound:
        if find_argument(self.ctx, site.node, site.scope, "start_event") is not None:
            return Bound.unknown("`start_event=` carries its own `max_iterations`")
        found = find_argument(self.ctx, site.node, site.scope, "max_iterations")
        return given_limit(self.ctx, found, "max_iterations", _DEFAULT_ITERATIONS, none_means=_DEFAULT_ITERATIONS)


def extract(ctx: ExtractionContext) -> FrameworkFacts:
    return _Extraction(ctx).run()


# classes, steps and their fan-outs ------------------------------------------------------------------
def _workflow_classes(ctx: ExtractionContext) -> dict[str, _WorkflowClass]:
    """Classes of this module derived, directly or through each other, from a workflow class."""
    found: dict[str, _WorkflowClass] = {}
    for scope in ctx.facts.definitions:
        if scope.kind != "class" or scope.parent is None:
            continue
        assert isinstance(scope.node, cst.ClassDef)
        for base in scope.node.bases:
            name = ctx.evaluator.qualified_name(base.value, scope.parent) if base.keyword is None else None
            parent = found.get(name or "")
            if parent is None and name not in (WORKFLOW, AGENT_WORKFLOW, *AGENT_CLASSES):
                continue
            init = next((method for method in ctx.facts.definitions if method.parent is scope
                         and method.kind == "function" and method.dotted.endswith(".__init__")), None)
            found[scope.dotted] = _WorkflowClass(scope, parent.root if parent else str(name),
                                                 init or (parent.init if parent else None))
            break
    return found


def _handler_bound(ctx: ExtractionContext, site: CallSite) -> Bound | None:
    """A timeout wrapper around the run: the ``run(...)`` call itself inside ``asyncio.wait_for``/
    ``asyncio.timeout``, or the handler it returns when every place awaits it under one; unknown
    when the handler leaves the function (returned, handed to other code)."""
    direct = wrapper_bound(ctx, site)
    if direct is not None or site.scope.kind != "function":
        return direct
    handler = ctx.facts.bound_names.get(id(site.node))
    if handler is None:
        return None
    if "." in handler:
        return Bound.unknown("the handler is kept on an object, and awaited where agentlint cannot follow it")
    if _escapes(ctx, site.scope, handler):
        return Bound.unknown("the handler is handed to other code, which may await it under a timeout")
    finder = _HandlerAwaits(ctx, site.scope, handler)
    site.scope.node.visit(finder)  # type: ignore[union-attr]
    bounds = [wrapper_bound(ctx, CallSite(site.node, site.scope, wrappers)) for wrappers in finder.awaits]
    return bounds[0] if bounds and all(bound is not None for bound in bounds) else None


def _escapes(ctx: ExtractionContext, scope: Scope, handler: str) -> bool:
    """The handler leaves the function: returned, or passed to a call other than a timeout wrapper."""
    def named(expr: cst.BaseExpression | None) -> bool:
        if isinstance(expr, (cst.Tuple, cst.List, cst.Dict)):  # ``return {"handler": handler}``
            return re.search(rf"\b{re.escape(handler)}\b", cst.Module(body=[]).code_for_node(expr)) is not None
        return isinstance(expr, cst.Name) and expr.value == handler

    if any(named(statement.value) for statement in ctx.facts.returns.get(id(scope), [])):
        return True
    return any(site.scope is scope and ctx.evaluator.callee(site.node, site.scope) not in TIMEOUT_WRAPPERS
               and any(named(arg.value) for arg in site.node.args) for site in ctx.facts.calls)


class _HandlerAwaits(cst.CSTVisitor):
    """Each ``await handler`` / ``asyncio.wait_for(handler, ...)`` in one function, with the timeout
    wrappers around it."""

    def __init__(self, ctx: ExtractionContext, scope: Scope, handler: str) -> None:
        self.ctx, self.scope, self.handler = ctx, scope, handler
        self.wrappers: list[Wrapper] = []
        self.pushed: list[int] = []
        self.awaits: list[tuple[Wrapper, ...]] = []

    def _wrapper(self, expr: cst.BaseExpression) -> Wrapper | None:
        if not isinstance(expr, cst.Call):
            return None
        target = self.ctx.evaluator.qualified_name(expr.func, self.scope)
        if target not in TIMEOUT_WRAPPERS:
            return None
        index = 1 if target == "asyncio.wait_for" else 0
        return Wrapper(target, expr, argument(expr, TIMEOUT_WRAPPERS[target], index), self.scope)

    def visit_With(self, node: cst.With) -> None:
        found = [wrapper for item in node.items if (wrapper := self._wrapper(item.item)) is not None]
        self.wrappers.extend(found)
        self.pushed.append(len(found))

    def leave_With(self, original_node: cst.With) -> None:
        count = self.pushed.pop()
        del self.wrappers[len(self.wrappers) - count:]

    def visit_Await(self, node: cst.Await) -> None:
        if isinstance(node.expression, cst.Name) and node.expression.value == self.handler:
            self.awaits.append(tuple(self.wrappers))

    def visit_Call(self, node: cst.Call) -> None:
        wrapper = self._wrapper(node)
        first = node.args[0].value if node.args else None
        if wrapper is not None and isinstance(first, cst.Name) and first.value == self.handler:
            self.awaits.append((*self.wrappers, wrapper))


# argument helpers -----------------------------------------------------------------------------------
def _is_super_init(call: cst.Call) -> bool:
    func = call.func
    return (isinstance(func, cst.Attribute) and func.attr.value == "__init__" and isinstance(func.value, cst.Call)
            and isinstance(func.value.func, cst.Name) and func.value.func.value == "super")


def _parameter(found: Given | None | object, init: Scope) -> str | None:
    """The ``__init__`` parameter a ``super().__init__(timeout=x)`` passes on, when ``x`` is one."""
    if isinstance(found, Given) and isinstance(found.expr, cst.Name):
        bindings = init.bindings.get(found.expr.value, [])
        if bindings and all(binding.kind == "param" for binding in bindings):
            return found.expr.value
    return None


def _parameter_default(init: Scope, name: str) -> Given | None:
    node = init.node
    assert isinstance(node, cst.FunctionDef)
    for param in (*node.params.params, *node.params.kwonly_params):
        if param.name.value == name and param.default is not None:
            return Given(param.default, init, param)
    return None
