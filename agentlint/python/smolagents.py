"""smolagents: ``CodeAgent``/``ToolCallingAgent`` steps, managed agents, final-answer checks, the runs
that start them and the model clients they call.

Facts checked against the smolagents 1.26.0 wheel (``smolagents/agents.py``, ``smolagents/models.py``):

- ``MultiStepAgent.__init__(max_steps=20)`` (agents.py:300); ``CodeAgent``/``ToolCallingAgent`` pass
  it on through ``**kwargs`` (agents.py:1231-1250, 1527-1541). ``run(task, ..., max_steps=None)``
  resolves ``max_steps or self.max_steps`` (agents.py:443, 468), so a run's ``0``/``None`` falls back
  to the agent's. The step loop is ``while ... self.step_number <= max_steps`` (agents.py:545): an
  agent built with ``max_steps=None`` fails on its first step (``int <= None``) unless the run passes
  a number, and ``0`` goes straight to the one extra model call of ``_handle_max_steps_reached``
  (agents.py:606-607, 625). The loop cannot be made endless: every reading is BOUNDED.
- ``managed_agents=[...]`` (agents.py:303, 369-378): each worker is called like a tool and the manager
  receives its final answer as text, wrapped in the report template (``__call__``, agents.py:868-890).
- ``final_answer_checks=[...]`` (agents.py:309, 335) run on the answer the model gives (agents.py:589-590,
  613-618), though not on the forced answer after ``max_steps`` (agents.py:606-607).
- ``InferenceClientModel(timeout=120)`` (models.py:1519) hands it to ``huggingface_hub.InferenceClient``
  after ``client_kwargs``, so it wins over a ``client_kwargs["timeout"]`` (models.py:1536-1551);
  huggingface_hub documents ``timeout=None`` as "loop until the server is available".
- ``OpenAIModel`` (``OpenAIServerModel`` is the same class, models.py:1796; ``AzureOpenAIModel``,
  models.py:1799, 1856) builds ``openai.OpenAI(**client_kwargs)`` (models.py:1683-1705), whose default
  is 600 s; any other keyword, ``timeout=`` included, goes to every ``chat.completions.create`` call
  and overrides the client's (``_prepare_completion_kwargs``, models.py:544-550).
- A model given ``client=`` sends its requests through that client as is (models.py:1172).
- ``@tool`` is ``smolagents.tools.tool`` (tools.py:1061), re-exported by ``smolagents``.

``LiteLLMModel`` is left out: its ``timeout`` goes to ``litellm.completion``, whose default is
litellm's and not in this wheel.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import libcst as cst

from agentlint.findings import Location
from agentlint.ir import Agent, Bound, BoundStatus, Call, CallKind, Hop, Provenance, RunSite
from agentlint.python.adapter import FrameworkFacts
from agentlint.python.bounds import Given, code, explicit, find_argument, is_none, number, numeric_limit
from agentlint.python.clients import Catalog, ClientSpec, never
from agentlint.python.collector import CallSite, argument
from agentlint.python.context import ExtractionContext
from agentlint.python.expressions import list_elements
from agentlint.python.http import httpx_timeout
from agentlint.python.identities import object_id, of_project
from agentlint.python.run_outputs import add_hops, sources
from agentlint.python.scopes import Scope
from agentlint.python.values import UNKNOWN, DictValue, Instance, Literal, ModuleRef

MODULES = ("smolagents",)
HINT = re.compile(r"smolagents")
FRAMEWORK = "smolagents"
ROOTS: tuple[str, ...] = ()
TOOL_CALLING = "smolagents.ToolCallingAgent"
AGENT_CLASSES = frozenset({"smolagents.CodeAgent", TOOL_CALLING, "smolagents.MultiStepAgent"})
# A ToolCallingAgent runs the tool calls of one step in a thread pool (agents.py:1225-1238, 1426).
_TOOL_THREADS = Bound(status=BoundStatus.BOUNDED, provenance=Provenance.DEFAULT,
                      detail="a thread pool with Python's default worker count runs a step's tool calls")
RUN = "smolagents.MultiStepAgent.run"
INFERENCE_CLIENT_MODEL, OPENAI_MODEL, AZURE_OPENAI_MODEL = (
    "smolagents.InferenceClientModel", "smolagents.OpenAIModel", "smolagents.AzureOpenAIModel")
CHECKS = "final_answer_checks"
CANONICAL = {
    **{f"smolagents.agents.{name.rsplit('.', 1)[1]}": name for name in AGENT_CLASSES},
    **{f"smolagents.models.{name.rsplit('.', 1)[1]}": name
       for name in (INFERENCE_CLIENT_MODEL, OPENAI_MODEL, AZURE_OPENAI_MODEL)},
    "smolagents.OpenAIServerModel": OPENAI_MODEL,
    "smolagents.models.OpenAIServerModel": OPENAI_MODEL,
    "smolagents.AzureOpenAIServerModel": AZURE_OPENAI_MODEL,
    "smolagents.models.AzureOpenAIServerModel": AZURE_OPENAI_MODEL,
    "smolagents.tools.tool": "smolagents.tool",
    "smolagents.tools.Tool": "smolagents.Tool",
}

_STEP_DEFAULT = Bound(status=BoundStatus.BOUNDED, provenance=Provenance.DEFAULT,
                      detail="smolagents' default of 20 steps per run", value=20.0)
_NO_RUN_TIME_LIMIT = Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT,
                           detail="smolagents sets no time limit on a run; `max_steps` bounds its steps")
_AGENT_STEPS = Bound(status=BoundStatus.BOUNDED, provenance=Provenance.DEFAULT, detail="the agent's own `max_steps`")
_MODEL_METHODS = frozenset({"generate", "generate_stream"})


# model clients ------------------------------------------------------------------------------------
def _given_client(ctx: ExtractionContext, node: cst.Call, scope: Scope) -> Bound | None:
    """``client=``: the model uses that client as is, and its timeout is the client's."""
    found = find_argument(ctx, node, scope, "client")
    if found is UNKNOWN:
        return Bound.unknown("`client` may come from `**kwargs` that could not be resolved")
    if isinstance(found, Given) and not is_none(ctx.evaluator.evaluate(found.expr, found.scope)):
        return Bound.unknown(f"requests go through the client given as `client={code(found.expr)}`")
    return None


def _inference_client_default(ctx: ExtractionContext, node: cst.Call, scope: Scope) -> Bound:
    return _given_client(ctx, node, scope) or Bound(
        status=BoundStatus.BOUNDED, provenance=Provenance.DEFAULT, detail="smolagents' default of 120 s", value=120.0)


def _openai_default(ctx: ExtractionContext, node: cst.Call, scope: Scope) -> Bound:
    """No ``timeout=`` for every request: the client's own, from ``client_kwargs`` or the SDK's 600 s."""
    given = _given_client(ctx, node, scope)
    if given is not None:
        return given
    found = find_argument(ctx, node, scope, "client_kwargs")
    if isinstance(found, Given) and not is_none(value := ctx.evaluator.evaluate(found.expr, found.scope)):
        if not isinstance(value, DictValue):
            return Bound.unknown(f"`client_kwargs={code(found.expr)}` could not be resolved statically")
        if "timeout" in value.entries:
            expr, entry_scope = value.entries["timeout"]
            return httpx_timeout(ctx, Given(expr, entry_scope, expr))
        if not value.complete:
            return Bound.unknown("`timeout` may come from `client_kwargs` entries that could not be resolved")
    return Bound(status=BoundStatus.BOUNDED, provenance=Provenance.DEFAULT,
                 detail="the openai SDK's default of 600 s", value=600.0)


def _model(kind: str, default_for: Callable[[ExtractionContext, cst.Call, Scope], Bound]) -> ClientSpec:
    return ClientSpec(
        kind=kind, call_kind=CallKind.LLM, methods=_MODEL_METHODS, asynchronous=never,
        default=Bound.unknown("decided by `default_for`"), classify=httpx_timeout, call_keyword=None,
        default_for=default_for,
    )


CATALOG = Catalog(
    clients={
        INFERENCE_CLIENT_MODEL: _model(INFERENCE_CLIENT_MODEL, _inference_client_default),
        OPENAI_MODEL: _model(OPENAI_MODEL, _openai_default),
        AZURE_OPENAI_MODEL: _model(AZURE_OPENAI_MODEL, _openai_default),
    },
    functions={},
)


# agents, managed agents and runs ------------------------------------------------------------------
class _Extraction:
    """One module's agents. Every constructor call gets its id first, so a manager can name workers
    defined after it and a run the agent it starts."""

    def __init__(self, ctx: ExtractionContext) -> None:
        self.ctx = ctx
        self.subclasses = _agent_subclasses(ctx)
        self.ids: dict[int, str] = {}
        self.runs: dict[int, str] = {}  # run call -> the id of the agent it runs

    def run(self) -> FrameworkFacts:
        facts = FrameworkFacts()
        sites = [site for site in self.ctx.facts.calls if self._agent_kind(site.node.func, site.scope)]
        for site in sites:
            self.ids[id(site.node)] = object_id(self.ctx, site, "agent")
        for site in sites:
            agent, hops = self._agent(site)
            facts.agents.append(agent)
            facts.hops.extend(hops)
        runs = [(site, target) for site in self.ctx.facts.calls if (target := self._run_target(site)) is not None]
        self.runs = {id(site.node): target for site, target in runs}
        for site, target in runs:
            self._run(site, target, facts)
        return facts

    def _agent_kind(self, func: cst.BaseExpression, scope: Scope) -> str | None:
        kind = self.ctx.evaluator.qualified_name(func, scope)
        return kind if kind in AGENT_CLASSES or kind in self.subclasses else None

    def _reference(self, expr: cst.BaseExpression, scope: Scope) -> str | None:
        """The id of the agent an expression holds: one built in this module, or an imported name
        assembly resolves against the agents other modules define."""
        value = self.ctx.evaluator.evaluate(expr, scope)
        if isinstance(value, Instance):
            return self.ids.get(id(value.call))
        if isinstance(value, ModuleRef) and of_project(self.ctx, value.qualified):
            return value.qualified
        return None

    def _agent(self, site: CallSite) -> tuple[Agent, list[Hop]]:
        agent_id = self.ids[id(site.node)]
        limit, steps_given = self._steps(site.node, site.scope, agent_level=True)
        workers, workers_known = self._managed(site, agent_id)
        schema, schema_known = self._checks(site)
        name = find_argument(self.ctx, site.node, site.scope, "name")
        named = self.ctx.evaluator.evaluate(name.expr, name.scope) if isinstance(name, Given) else None
        settings = [setting for setting, given in (("max_steps", steps_given), ("managed_agents", bool(workers)),
                                                   (CHECKS, schema is not None)) if given]
        complete = (workers_known and schema_known and limit.status is not BoundStatus.UNKNOWN
                    and self._agent_kind(site.node.func, site.scope) in AGENT_CLASSES)
        limits = {"max_steps": limit}
        if self._agent_kind(site.node.func, site.scope) == TOOL_CALLING:
            limits["tool_concurrency"] = numeric_limit(self.ctx, site.node, site.scope, "max_tool_threads",
                                                       _TOOL_THREADS)
        agent = Agent(
            id=agent_id, framework=FRAMEWORK, location=self.ctx.locate(site.node),
            name=named.value if isinstance(named, Literal) and isinstance(named.value, str) else None,
            output_schema=schema, limits=limits, settings=tuple(settings), complete=complete,
            tools=self._tools(site), delegates=tuple(hop.producer for hop in workers),
        )
        return agent, workers

    def _steps(self, call: cst.Call, scope: Scope, *, agent_level: bool) -> tuple[Bound, bool]:
        """``max_steps`` as a bound, and whether the call decides it. A run's ``0``/``None`` leaves
        the agent's own limit in force; an agent's ``None`` makes a run that passes none fail at once."""
        found = find_argument(self.ctx, call, scope, "max_steps", None if agent_level else 5)
        if found is UNKNOWN:
            return Bound.unknown("`max_steps` may come from `**kwargs` that could not be resolved"), True
        fallback = _STEP_DEFAULT if agent_level else _AGENT_STEPS
        if not isinstance(found, Given):
            return fallback, False
        value = self.ctx.evaluator.evaluate(found.expr, found.scope)
        steps = number(value)
        if not agent_level and (is_none(value) or steps == 0):
            return fallback, False
        if is_none(value):
            return explicit(self.ctx, found, BoundStatus.BOUNDED,
                            "`max_steps=None`: a run that passes no `max_steps` fails on its first step"), True
        if steps is None:
            return Bound.unknown(f"`max_steps={code(found.expr)}` could not be resolved statically"), True
        return explicit(self.ctx, found, BoundStatus.BOUNDED, f"`max_steps={code(found.expr)}`", steps), True

    def _managed(self, site: CallSite, manager: str) -> tuple[list[Hop], bool]:
        """A hop from each managed agent to its manager: the worker's final answer is the text the
        manager reads. Workers agentlint cannot name (a loop, a helper's list) get none."""
        found = find_argument(self.ctx, site.node, site.scope, "managed_agents")
        if found is None:
            return [], True
        if not isinstance(found, Given):
            return [], False
        if is_none(self.ctx.evaluator.evaluate(found.expr, found.scope)):
            return [], True
        elements = list_elements(found.expr, found.scope)
        if elements is None:
            return [], False
        hops = []
        for expr, scope in elements:
            worker = self._reference(expr, scope)
            if worker is not None:
                hops.append(Hop(id=f"{worker}->{manager}", producer=worker, producer_agent=worker, consumer=manager,
                                consumer_agent=manager, mechanism="managed-agent", location=self.ctx.locate(expr)))
        return hops, len(hops) == len(elements)

    def _checks(self, site: CallSite) -> tuple[str | None, bool]:
        """``final_answer_checks``: given as anything but ``None`` or an empty display, the agent's
        answer is checked before its manager (or caller) reads it."""
        found = find_argument(self.ctx, site.node, site.scope, CHECKS)
        if found is UNKNOWN:
            return None, False
        if not isinstance(found, Given) or is_none(self.ctx.evaluator.evaluate(found.expr, found.scope)):
            return None, True
        elements = list_elements(found.expr, found.scope)
        return (None if elements == [] else CHECKS), True

    def _tools(self, site: CallSite) -> tuple[str, ...]:
        found = find_argument(self.ctx, site.node, site.scope, "tools", 0)
        elements = list_elements(found.expr, found.scope) if isinstance(found, Given) else None
        names = []
        for expr, scope in elements or ():
            value = self.ctx.evaluator.evaluate(expr, scope)
            if isinstance(value, ModuleRef):
                names.append(value.qualified)
            elif isinstance(value, Instance):
                names.append(value.kind)
        return tuple(names)

    def _run_target(self, site: CallSite) -> str | None:
        """The agent ``x.run(...)`` starts, when ``x`` is one."""
        func = site.node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "run"):
            return None
        return self._reference(func.value, site.scope)

    def _run(self, site: CallSite, target: str, facts: FrameworkFacts) -> None:
        limit, _ = self._steps(site.node, site.scope, agent_level=False)
        location = self.ctx.locate(site.node)
        facts.run_sites.append(RunSite(id=f"{site.scope.qualname}->{target}.run", target=target, method="run",
                                       location=location, limits={"max_steps": limit}, framework=FRAMEWORK))
        if target in self.ids.values():  # an imported name's ``run`` may be anything's: no model work assumed
            facts.calls.append(Call(id=f"{site.scope.qualname}->{RUN}", kind=CallKind.AGENT, target=RUN,
                                    scope=site.scope.qualname, location=location, timeout=_NO_RUN_TIME_LIMIT))
        task = argument(site.node, "task", 0)
        if task is None:
            return
        found = sources(self.ctx, task, site.scope, lambda call: self.runs.get(id(call)))
        add_hops(facts.hops, found, target, self.ctx.locate(task), prefix=f"{site.scope.qualname}:")


def _agent_subclasses(ctx: ExtractionContext) -> frozenset[str]:
    """Classes of this module derived from an agent class: built like one, though their own
    ``__init__`` may change what the constructor's arguments mean."""
    found: set[str] = set()
    for scope in ctx.facts.definitions:
        if scope.kind == "class" and scope.parent is not None and isinstance(scope.node, cst.ClassDef):
            bases = (ctx.evaluator.qualified_name(base.value, scope.parent) for base in scope.node.bases)
            if any(base in AGENT_CLASSES or base in found for base in bases):
                found.add(scope.dotted)
    return frozenset(found)


def extract(ctx: ExtractionContext) -> FrameworkFacts:
    return _Extraction(ctx).run()



# agent.json ---------------------------------------------------------------------------------------
def saved_agent(relative: str, document: object, lines: list[str]) -> list[Agent]:
    """The agent an ``agent.json`` describes (``save``/``push_to_hub``, loaded by ``from_folder`` and
    ``from_hub``, agents.py:992-1006, 1120-1157): its ``max_steps``, ``null`` meaning the default
    (``from_dict`` drops ``None`` values, agents.py:1051-1058). Its id is the folder's dotted path."""
    if not (relative.endswith("agent.json") and isinstance(document, dict) and "tools" in document):
        return []
    folder = relative.rpartition("/")[0] or relative.removesuffix(".json")
    value = document.get("max_steps")
    rows = [index for index, line in enumerate(lines, 1) if '"max_steps"' in line]
    limit = _STEP_DEFAULT
    if isinstance(value, (int, float)) and not isinstance(value, bool) and rows:
        # The top-level key comes after the nested managed agents' own (``to_dict`` order).
        line = lines[rows[-1] - 1]
        start = line.index('"max_steps"') + 1
        limit = Bound(status=BoundStatus.BOUNDED, provenance=Provenance.EXPLICIT,
                      detail=f"`\"max_steps\": {value}` in `agent.json`", value=float(value),
                      source=Location.at(relative, rows[-1], start, rows[-1], len(line.rstrip().rstrip(",")) + 1))
    name = document.get("name")
    return [Agent(id=folder.replace("/", "."), framework=FRAMEWORK, name=name if isinstance(name, str) else None,
                  location=Location.at(relative, 1), limits={"max_steps": limit})]
