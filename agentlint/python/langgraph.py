"""LangGraph: state schemas, node functions, ``StateGraph`` builders and the sites that run them.

Facts from ``shared/frameworks.md`` section 1 (LangGraph 1.2): a state key without a reducer is a
``LastValue`` channel and two writes to it in one superstep raise ``InvalidUpdateError``; the default
``recursion_limit`` is 10007 supersteps; ``max_concurrency`` is unset by default (no cap for async
runs); ``step_timeout`` and node ``timeout=`` are unset by default.
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from agentlint.ir import (
    END,
    START,
    UNKNOWN_TARGET,
    Bound,
    FunctionFacts,
    BoundStatus,
    ConditionalEdge,
    Graph,
    GraphEdge,
    GraphNode,
    Provenance,
    Retry,
    Router,
    RunSite,
    StateKey,
    StateSchema,
    Writes,
)
from agentlint.python.bounds import Given, code, explicit, find_argument, is_none, number
from agentlint.python.collector import CallSite, argument
from agentlint.python.context import ExtractionContext
from agentlint.python.exits import externally_bounded
from agentlint.python.scopes import Scope
from agentlint.python.widths import sliced, width
from agentlint.python.identities import of_project, plain_factory
from agentlint.python.values import UNKNOWN, DictValue, Instance, Literal, ModuleRef, Value

MODULES = ("langgraph", "langchain")
BUILDER = "langgraph.graph.StateGraph"
COMPILED = "langgraph.graph.CompiledStateGraph"  # not importable: the kind of ``builder.compile()``
SEND = "langgraph.types.Send"
COMMAND = "langgraph.types.Command"
RETRY_POLICY = "langgraph.types.RetryPolicy"
# Prebuilt tool-calling agents: a model ⇄ tools loop that ends when the model stops calling tools.
PREBUILT = "langgraph.prebuilt.create_react_agent"
RUN_METHODS = frozenset({"invoke", "ainvoke", "stream", "astream", "batch", "abatch", "astream_events"})
ASYNC_RUN_METHODS = frozenset({"ainvoke", "astream", "abatch", "astream_events"})
_BUILDER_METHODS = ("add_node", "add_edge", "add_conditional_edges", "set_entry_point", "set_finish_point",
                    "set_node_defaults", "add_sequence")

CANONICAL = {
    "langgraph.graph.state.StateGraph": BUILDER,
    "langgraph.graph.message.MessagesState": "langgraph.graph.MessagesState",
    "langgraph.graph.message.add_messages": "langgraph.graph.add_messages",
    "langgraph.graph.state.END": "langgraph.graph.END",
    "langgraph.graph.state.START": "langgraph.graph.START",
    "langgraph.constants.END": "langgraph.graph.END",
    "langgraph.constants.START": "langgraph.graph.START",
    "langgraph.constants.Send": SEND,
    "langgraph.types.Command": COMMAND,
    "langgraph.pregel.RetryPolicy": RETRY_POLICY,
    "typing_extensions.TypedDict": "typing.TypedDict",
    "typing_extensions.Annotated": "typing.Annotated",
    "langchain_core.runnables.config.RunnableConfig": "langchain_core.runnables.RunnableConfig",
    "langgraph.prebuilt.chat_agent_executor.create_react_agent": PREBUILT,
    "langchain.agents.create_agent": PREBUILT,
    "langchain.agents.factory.create_agent": PREBUILT,
}
# Middleware of ``create_agent`` that caps the loop (langchain 1.5 ``agents/middleware``).
_LOOP_LIMITS = frozenset({"langchain.agents.middleware.ModelCallLimitMiddleware",
                          "langchain.agents.middleware.ToolCallLimitMiddleware"})
DERIVERS = {
    BUILDER: {**dict.fromkeys(_BUILDER_METHODS, BUILDER), "compile": COMPILED},
    COMPILED: {"with_config": COMPILED},
    PREBUILT: {"with_config": PREBUILT},
}
DICT_CONSTRUCTORS = frozenset({"langchain_core.runnables.RunnableConfig"})
KNOWN_INSTANCES = frozenset({BUILDER, COMPILED, PREBUILT})

_SCHEMA_BASES = {
    "typing.TypedDict": "typeddict",
    "pydantic.BaseModel": "pydantic",
    "pydantic.main.BaseModel": "pydantic",
    "langgraph.graph.MessagesState": "messages-state",
}


def extract(ctx: ExtractionContext) -> tuple[list[StateSchema], list[Graph], list[RunSite], list[FunctionFacts]]:
    """Schemas, graphs (built and prebuilt), run sites, and the synthetic routers of prebuilt agents."""
    schemas = [schema for scope in ctx.facts.definitions if scope.kind == "class"
               for schema in [_schema(ctx, scope)] if schema is not None]
    graphs, runs = _graphs(ctx)
    prebuilt = [_prebuilt(ctx, site) for site in ctx.facts.calls
                if ctx.evaluator.callee(site.node, site.scope) == PREBUILT]
    return schemas, graphs + [graph for graph, _ in prebuilt], runs, [router for _, router in prebuilt]


def _prebuilt(ctx: ExtractionContext, site: CallSite) -> tuple[Graph, FunctionFacts]:
    """A prebuilt agent as the graph it compiles to: ``agent`` ⇄ ``tools``, leaving when the model
    answers without a tool call (``tools_condition``), unless limit middleware caps the model calls."""
    graph_id = _graph_id(ctx, site)
    location = ctx.locate(site.node)
    middleware = find_argument(ctx, site.node, site.scope, "middleware")
    limited = isinstance(middleware, Given) and isinstance(middleware.expr, (cst.List, cst.Tuple)) and any(
        isinstance(element.value, cst.Call)
        and ctx.evaluator.qualified_name(element.value.func, middleware.scope) in _LOOP_LIMITS
        for element in middleware.expr.elements
    )
    router_id = f"{graph_id}.tools_condition"
    router = FunctionFacts(id=router_id, location=location, router=Router(
        id=router_id, location=location, targets=("tools", END), external_exit=limited))
    graph = Graph(
        id=graph_id, framework="langgraph-prebuilt", location=location, state=None,
        nodes=(GraphNode(name="agent", function=None, location=location),
               GraphNode(name="tools", function=None, location=location)),
        edges=(GraphEdge(sources=(START,), target="agent", kind="static", location=location),
               GraphEdge(sources=("tools",), target="agent", kind="static", location=location)),
        conditional=(ConditionalEdge(source="agent", router=router_id, path_map=None, location=location),),
        compiled=tuple(exported := _exported_names(ctx, id(site.node))),
        export_limits={name: limits for name, limits in exported.items() if limits},
        complete=middleware is None or limited,
    )
    return graph, router


# state schemas ------------------------------------------------------------------------------------
def _schema(ctx: ExtractionContext, scope: Scope) -> StateSchema | None:
    node = scope.node
    assert isinstance(node, cst.ClassDef)
    parent = scope.parent or scope
    bases = [ctx.evaluator.qualified_name(base.value, parent) for base in node.bases if base.keyword is None]
    kinds = [_SCHEMA_BASES[base] for base in bases if base in _SCHEMA_BASES]
    is_dataclass = any(ctx.evaluator.qualified_name(_decorator_target(d), parent) == "dataclasses.dataclass"
                       for d in node.decorators)
    others = tuple(base for base in bases if base and base not in _SCHEMA_BASES)
    if not kinds and not is_dataclass and not others:
        return None
    keys = []
    for statement in node.body.body:
        for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                location = ctx.locate_field(scope, small.target.value) or ctx.locate(small.target)
                keys.append(StateKey(name=small.target.value, reducer=_reducer(ctx, small.annotation.annotation, scope),
                                     location=location))
    if not keys and not kinds:
        return None
    kind = kinds[0] if kinds else "dataclass" if is_dataclass else "unknown"
    return StateSchema(id=scope.dotted, kind=kind, location=ctx.locate_definition(scope), keys=tuple(keys), bases=others)


def _decorator_target(decorator: cst.Decorator) -> cst.BaseExpression:
    return decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator


UNKNOWN_REDUCER = "?"


def _reducer(ctx: ExtractionContext, annotation: cst.BaseExpression, scope: Scope, depth: int = 0) -> str | None:
    """The reducer of ``Annotated[T, reducer]``, following a type alias bound in this module.
    ``UNKNOWN_REDUCER`` for a name imported from elsewhere (an alias may hide a reducer there)."""
    if isinstance(annotation, cst.Name) and depth < 3:
        bindings = scope.lookup(annotation.value)
        if len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].node is not None:
            return _reducer(ctx, bindings[0].node, bindings[0].scope or scope, depth + 1)
        if len(bindings) == 1 and bindings[0].kind == "import" and not (bindings[0].qualified or "").startswith("typing"):
            return UNKNOWN_REDUCER
        return None
    if not isinstance(annotation, cst.Subscript):
        return None
    if ctx.evaluator.qualified_name(annotation.value, scope) != "typing.Annotated" or len(annotation.slice) < 2:
        return None
    element = annotation.slice[1].slice
    if not isinstance(element, cst.Index):
        return None
    reducer = ctx.evaluator.qualified_name(element.value, scope)
    return reducer or code(element.value)


# functions: writes, routing ---------------------------------------------------------------------
def routing(ctx: ExtractionContext, scope: Scope) -> tuple[Writes, Router | None, tuple[str, ...]]:
    """What a function does as a graph node or router: the state keys it returns, where it routes,
    and its ``Command(goto=...)`` targets."""
    node = scope.node
    assert isinstance(node, cst.FunctionDef)
    returns = ctx.facts.returns.get(id(scope), [])
    keys: list[str] = []
    complete = True
    targets: list[str] = []
    targets_complete = True
    sends: list[str] = []
    send_many = send_data_dependent = send_capped = False
    gotos: list[str] = []
    for statement in returns:
        value = statement.value
        if value is None:
            continue
        written = _returned_keys(ctx, value, scope)
        if written is None:
            complete = False
        else:
            keys.extend(written)
        route = _route(ctx, value, scope)
        if route is None:
            targets_complete = False
            continue
        targets.extend(route.targets)
        sends.extend(route.sends)
        send_many |= route.send_many
        send_data_dependent |= route.send_data_dependent
        send_capped |= route.send_capped
        gotos.extend(_command_gotos(ctx, value, scope))
    router = None
    if targets or sends:
        router = Router(
            id=scope.dotted, location=ctx.locate_definition(scope), targets=tuple(dict.fromkeys(targets)),
            targets_complete=targets_complete, sends=tuple(dict.fromkeys(sends)), send_many=send_many,
            send_data_dependent=send_data_dependent, send_capped=send_capped,
            external_exit=_external_exit(ctx, scope),
        )
    return Writes(keys=tuple(dict.fromkeys(keys)), complete=complete), router, tuple(dict.fromkeys(gotos))


def _returned_keys(ctx: ExtractionContext, value: cst.BaseExpression, scope: Scope) -> list[str] | None:
    if isinstance(value, cst.Name) and value.value == "None":
        return []
    if isinstance(value, cst.Call) and ctx.evaluator.qualified_name(value.func, scope) == COMMAND:
        update = find_argument(ctx, value, scope, "update")
        if update is None:
            return []
        return _dict_keys(ctx, update.expr, update.scope) if isinstance(update, Given) else None
    if isinstance(value, (cst.SimpleString, cst.ConcatenatedString, cst.List, cst.ListComp)):
        return []  # a router's return, not a state update
    return _dict_keys(ctx, value, scope)


def _dict_keys(ctx: ExtractionContext, expr: cst.BaseExpression, scope: Scope) -> list[str] | None:
    value = ctx.evaluator.evaluate(expr, scope)
    if isinstance(value, DictValue) and value.complete:
        return list(value.entries)
    return None


class _Route:
    def __init__(self) -> None:
        self.targets: list[str] = []
        self.sends: list[str] = []
        self.send_many = False
        self.send_data_dependent = False
        self.send_capped = False


def _route(ctx: ExtractionContext, value: cst.BaseExpression, scope: Scope) -> _Route | None:
    """The node names, ``END`` or ``Send``s a return statement routes to; ``None`` when unreadable."""
    if isinstance(value, cst.IfExp):
        branches = [_route(ctx, branch, scope) for branch in (value.body, value.orelse)]
        if any(branch is None for branch in branches):
            return None
        merged = _Route()
        for branch in branches:
            assert branch is not None
            merged.targets += branch.targets
            merged.sends += branch.sends
            merged.send_many |= branch.send_many
            merged.send_data_dependent |= branch.send_data_dependent
            merged.send_capped |= branch.send_capped
        return merged
    route = _Route()
    if isinstance(value, (cst.ListComp, cst.GeneratorExp)) and _is_send(ctx, value.elt, scope):
        route.sends.append(_node_name(ctx, value.elt.args[0].value, scope) or "?")  # type: ignore[attr-defined]
        iterable = value.for_in.iter
        route.send_many = True
        route.send_data_dependent = width(ctx, iterable, scope) is BoundStatus.UNBOUNDED
        route.send_capped = sliced(iterable, scope)
        return route
    if isinstance(value, (cst.List, cst.Tuple)):
        for element in value.elements:
            if _is_send(ctx, element.value, scope):
                route.sends.append(_node_name(ctx, element.value.args[0].value, scope) or "?")  # type: ignore[attr-defined]
            else:
                name = _node_name(ctx, element.value, scope)
                if name is None:
                    return None
                route.targets.append(name)
        route.send_many = len(route.sends) > 1
        return route
    name = _node_name(ctx, value, scope)
    if name is None:
        return None if not isinstance(value, (cst.Dict, cst.Call)) else route
    route.targets.append(name)
    return route


def _is_send(ctx: ExtractionContext, expr: cst.BaseExpression, scope: Scope) -> bool:
    return isinstance(expr, cst.Call) and bool(expr.args) and ctx.evaluator.qualified_name(expr.func, scope) == SEND


def _command_gotos(ctx: ExtractionContext, value: cst.BaseExpression, scope: Scope) -> list[str]:
    """``Command(goto=...)`` targets; ``UNKNOWN_TARGET`` when a goto cannot be read, so that nobody
    concludes a node is unreachable or a loop has no exit."""
    if isinstance(value, cst.IfExp):
        return _command_gotos(ctx, value.body, scope) + _command_gotos(ctx, value.orelse, scope)
    if not (isinstance(value, cst.Call) and ctx.evaluator.qualified_name(value.func, scope) == COMMAND):
        return []
    goto = find_argument(ctx, value, scope, "goto")
    if goto is None:
        return []
    names = _names(ctx, goto.expr, goto.scope) if isinstance(goto, Given) else None
    return names if names is not None else [UNKNOWN_TARGET]


def _node_name(ctx: ExtractionContext, expr: cst.BaseExpression, scope: Scope) -> str | None:
    value = ctx.evaluator.evaluate(expr, scope)
    if isinstance(value, Literal) and isinstance(value.value, str):
        return value.value
    if isinstance(value, ModuleRef):
        if value.qualified == "langgraph.graph.END":
            return END
        if value.qualified == "langgraph.graph.START":
            return START
    return None


def _external_exit(ctx: ExtractionContext, scope: Scope) -> bool:
    """Whether something other than the model's say-so can end a loop through this router."""
    assert scope.node is not None
    return externally_bounded([scope.node])


# graphs and run sites ---------------------------------------------------------------------------
class _Builder:
    def __init__(self, graph_id: str, site: CallSite, state: str | None) -> None:
        self.id = graph_id
        self.site = site
        self.state = state
        self.nodes: list[GraphNode] = []
        self.edges: list[GraphEdge] = []
        self.conditional: list[ConditionalEdge] = []
        self.complete = True
        self.default_timeout: Bound | None = None
        self.default_retry: Bound | None = None
        self.step_timeout: Bound | None = None


def _graphs(ctx: ExtractionContext) -> tuple[list[Graph], list[RunSite]]:
    builders: dict[int, _Builder] = {}
    runs: list[RunSite] = []
    for site in ctx.facts.calls:
        if ctx.evaluator.callee(site.node, site.scope) == BUILDER:
            state = find_argument(ctx, site.node, site.scope, "state_schema", 0)
            state_name = ctx.evaluator.qualified_name(state.expr, state.scope) if isinstance(state, Given) else None
            builders[id(site.node)] = _Builder(_graph_id(ctx, site), site, state_name)
    for site in ctx.facts.calls:
        func = site.node.func
        if isinstance(func, cst.Attribute):
            owner = ctx.evaluator.evaluate(func.value, site.scope)
            if isinstance(owner, Instance) and owner.kind in KNOWN_INSTANCES:
                root = _root(owner)
                builder = builders.get(id(root.call))
                if builder is not None:
                    _builder_call(ctx, builder, owner, func.attr.value, site, runs)
                elif owner.kind == PREBUILT and func.attr.value in RUN_METHODS:
                    graph_id = _graph_id(ctx, CallSite(root.call, root.scope, ()))
                    runs.append(_run_site(ctx, graph_id, func.attr.value, site, _config_chain(ctx, owner)))
                continue
            if isinstance(owner, ModuleRef) and func.attr.value in RUN_METHODS:
                runs.append(_run_site(ctx, owner.qualified, func.attr.value, site, ()))
            elif isinstance(owner, Instance) and func.attr.value in RUN_METHODS and _made_elsewhere(ctx, owner):
                # ``build_graph().invoke(...)`` with a factory another module of the project defines
                runs.append(_run_site(ctx, f"{owner.kind}()", func.attr.value, site, ()))
        _escapes(ctx, site, builders)
    for write in ctx.facts.attribute_writes:
        owner = ctx.evaluator.evaluate(write.base, write.scope)
        if isinstance(owner, Instance) and owner.kind == COMPILED and write.attr == "step_timeout":
            builder = builders.get(id(_root(owner).call))
            if builder is not None:
                builder.step_timeout = _seconds(ctx, Given(write.value, write.scope, write.node), "step_timeout")
    graphs = [
        Graph(
            id=builder.id, framework="langgraph", location=ctx.locate(builder.site.node), state=builder.state,
            nodes=tuple(builder.nodes), edges=tuple(builder.edges), conditional=tuple(builder.conditional),
            compiled=tuple(exported := _exported_names(ctx, key)), complete=builder.complete,
            export_limits={name: limits for name, limits in exported.items() if limits},
            step_timeout=builder.step_timeout,
        )
        for key, builder in builders.items()
    ]
    return graphs, runs


def _root(instance: Instance) -> Instance:
    while instance.parent is not None:
        instance = instance.parent
    return instance


def _graph_id(ctx: ExtractionContext, site: CallSite) -> str:
    name = ctx.facts.bound_names.get(id(site.node), "graph")
    return f"{site.scope.dotted}.{name.removeprefix('self.')}"


def _made_elsewhere(ctx: ExtractionContext, instance: Instance) -> bool:
    """What a parameterless function imported from another module of the project returns."""
    return (instance.parent is None and not instance.call.args and instance.kind not in KNOWN_INSTANCES
            and of_project(ctx, instance.kind) and not instance.kind.startswith(f"{ctx.module_name}."))


def _exported_names(ctx: ExtractionContext, builder_key: int) -> dict[str, dict[str, Bound]]:
    """Module-level names bound to this builder's compiled graph (what other modules import to run
    it), with the limits ``with_config(...)`` fixed on each; a parameterless factory that returns it
    is exported as ``pkg.mod.build_graph()``."""
    module = ctx.facts.module
    names = {}
    for scope in ctx.facts.definitions:
        if not plain_factory(scope):
            continue
        returned = [ctx.evaluator.evaluate(ret.value, scope) for ret in ctx.facts.returns.get(id(scope), [])
                    if ret.value is not None]
        if returned and all(isinstance(value, Instance) and value.kind in (COMPILED, PREBUILT)
                            and id(_root(value).call) == builder_key for value in returned):
            limits: dict[str, Bound] = {}
            for expr, config_scope in _config_chain(ctx, returned[0]):  # type: ignore[arg-type]
                _apply_config(ctx, expr, config_scope, limits, with_config=isinstance(expr, cst.Call))
            names[f"{scope.dotted}()"] = limits
    for name, bindings in module.bindings.items():
        if len(bindings) == 1 and bindings[0].kind == "assign":
            value = _module_value(ctx, name)
            if isinstance(value, Instance) and value.kind in (COMPILED, PREBUILT) and id(_root(value).call) == builder_key:
                limits: dict[str, Bound] = {}
                for expr, scope in _config_chain(ctx, value):
                    _apply_config(ctx, expr, scope, limits, with_config=isinstance(expr, cst.Call))
                names[f"{module.dotted}.{name}"] = limits
    return names


def _module_value(ctx: ExtractionContext, name: str) -> Value:
    binding = ctx.facts.module.bindings[name][0]
    assert binding.node is not None
    return ctx.evaluator.evaluate(binding.node, ctx.facts.module)


def _builder_call(
    ctx: ExtractionContext, builder: _Builder, owner: Instance, method: str, site: CallSite, runs: list[RunSite]
) -> None:
    call = site.node
    if owner.kind in (COMPILED, PREBUILT):
        if method in RUN_METHODS:
            runs.append(_run_site(ctx, builder.id, method, site, _config_chain(ctx, owner)))
        return
    location = ctx.locate(call)
    if method == "add_node":
        _add_node(ctx, builder, site)
    elif method == "add_edge":
        sources = _names(ctx, argument(call, "start_key", 0), site.scope)
        target = _names(ctx, argument(call, "end_key", 1), site.scope)
        if sources is None or target is None or len(target) != 1:
            builder.complete = False
        else:
            builder.edges.append(GraphEdge(sources=tuple(sources), target=target[0], kind="static", location=location))
    elif method == "add_conditional_edges":
        source = _names(ctx, argument(call, "source", 0), site.scope)
        path = argument(call, "path", 1)
        path_map = argument(call, "path_map", 2)
        router = ctx.evaluator.qualified_name(path, site.scope) if path is not None else None
        mapped = _path_map(ctx, path_map, site.scope) if path_map is not None else None
        if source is None or len(source) != 1 or (path_map is not None and mapped is None):
            builder.complete = False
            return
        builder.conditional.append(ConditionalEdge(source=source[0], router=router, path_map=mapped, location=location))
    elif method == "set_entry_point":
        target = _names(ctx, argument(call, "key", 0), site.scope)
        if target is None:
            builder.complete = False
        else:
            builder.edges.append(GraphEdge(sources=(START,), target=target[0], kind="static", location=location))
    elif method == "set_finish_point":
        source = _names(ctx, argument(call, "key", 0), site.scope)
        if source is None:
            builder.complete = False
        else:
            builder.edges.append(GraphEdge(sources=(source[0],), target=END, kind="static", location=location))
    elif method == "set_node_defaults":
        timeout = find_argument(ctx, call, site.scope, "timeout")
        if isinstance(timeout, Given):
            builder.default_timeout = _seconds(ctx, timeout, "timeout")
        policy = find_argument(ctx, call, site.scope, "retry_policy")
        if isinstance(policy, Given):
            builder.default_retry = _retry_attempts(ctx, policy)
    elif method == "add_sequence":
        builder.complete = False  # node names come from callables; not followed yet


def _add_node(ctx: ExtractionContext, builder: _Builder, site: CallSite) -> None:
    call = site.node
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    first = argument(call, "node", 0)
    name_value = ctx.evaluator.evaluate(first, site.scope) if first is not None else UNKNOWN
    if isinstance(name_value, Literal) and isinstance(name_value.value, str):
        name = name_value.value
        action = argument(call, "action", 1)
    elif isinstance(name_value, ModuleRef) and len(positional) == 1:
        name = name_value.qualified.rsplit(".", 1)[-1]
        action = first
    else:
        builder.complete = False
        return
    function = _node_callable(ctx, action, site.scope) if action is not None else None
    timeout = find_argument(ctx, call, site.scope, "timeout")
    node_timeout = _seconds(ctx, timeout, "timeout") if isinstance(timeout, Given) else builder.default_timeout
    policy = find_argument(ctx, call, site.scope, "retry_policy")
    retries = _retry_attempts(ctx, policy) if isinstance(policy, Given) else builder.default_retry
    builder.nodes.append(GraphNode(name=name, function=function, location=ctx.locate(call), timeout=node_timeout,
                                   retry_attempts=retries))


def node_retries(graphs: Iterable[Graph]) -> list[Retry]:
    """A node's ``RetryPolicy`` as a retry around its function, for the retry rules."""
    return [Retry(id=f"{graph.id}:{node.name}:retry_policy", mechanism=RETRY_POLICY,
                  location=node.retry_attempts.source or node.location, stop=node.retry_attempts, target=node.function)
            for graph in graphs for node in graph.nodes
            if node.retry_attempts is not None and node.function is not None]


def _retry_attempts(ctx: ExtractionContext, found: Given) -> Bound | None:
    """``RetryPolicy(max_attempts=N)``: N attempts at the node (3 when not given, ``types.py``);
    ``None`` for no policy, anything else (a list of policies, a variable) unknown."""
    value = ctx.evaluator.evaluate(found.expr, found.scope)
    if is_none(value):
        return None
    if not (isinstance(value, Instance) and value.kind == RETRY_POLICY):
        return Bound.unknown(f"`retry_policy={code(found.expr)}` could not be read")
    attempts = find_argument(ctx, value.call, value.scope, "max_attempts")
    if attempts is None:
        return Bound(status=BoundStatus.BOUNDED, provenance=Provenance.DEFAULT, value=3.0, source=ctx.locate(found.anchor),
                     detail="`RetryPolicy`'s default of 3 attempts")
    count = number(ctx.evaluator.evaluate(attempts.expr, attempts.scope)) if isinstance(attempts, Given) else None
    if count is None:
        return Bound.unknown("`max_attempts` could not be resolved statically")
    return Bound(status=BoundStatus.BOUNDED, provenance=Provenance.EXPLICIT, value=count, source=ctx.locate(found.anchor),
                 detail=f"`RetryPolicy(max_attempts={count:g})`")


def _node_callable(ctx: ExtractionContext, action: cst.BaseExpression, scope: Scope) -> str | None:
    """What a node runs, by qualified name: a function, or a compiled graph bound to a module-level
    name (a subgraph), which assembly matches against the graphs it knows."""
    qualified = ctx.evaluator.qualified_name(action, scope)
    if qualified is not None:
        return qualified
    value = ctx.evaluator.evaluate(action, scope)
    module = ctx.facts.module
    if isinstance(value, Instance) and value.kind in (COMPILED, PREBUILT) and value.name in module.bindings:
        return f"{module.dotted}.{value.name}"
    return None


def _names(ctx: ExtractionContext, expr: cst.BaseExpression | None, scope: Scope) -> list[str] | None:
    if expr is None:
        return None
    if isinstance(expr, (cst.List, cst.Tuple)):
        names = [_node_name(ctx, element.value, scope) for element in expr.elements]
        return None if any(name is None for name in names) else names  # type: ignore[return-value]
    name = _node_name(ctx, expr, scope)
    return [name] if name is not None else None


def _path_map(ctx: ExtractionContext, expr: cst.BaseExpression, scope: Scope) -> tuple[str, ...] | None:
    value = ctx.evaluator.evaluate(expr, scope)
    if isinstance(value, DictValue) and value.complete:
        targets = [_node_name(ctx, target, target_scope) for target, target_scope in value.entries.values()]
        return None if any(t is None for t in targets) else tuple(targets)  # type: ignore[arg-type]
    if isinstance(expr, (cst.List, cst.Tuple)):
        names = _names(ctx, expr, scope)
        return tuple(names) if names is not None else None
    return None


def _escapes(ctx: ExtractionContext, site: CallSite, builders: dict[int, _Builder]) -> None:
    """A builder handed to another function may get nodes and edges agentlint cannot see."""
    for arg in site.node.args:
        value = ctx.evaluator.evaluate(arg.value, site.scope)
        if isinstance(value, Instance) and value.kind == BUILDER:
            builder = builders.get(id(_root(value).call))
            if builder is not None:
                builder.complete = False


def _config_chain(ctx: ExtractionContext, owner: Instance) -> tuple[tuple[cst.BaseExpression, Scope], ...]:
    """Configs set with ``with_config(...)`` along the chain, outermost first."""
    chain: list[tuple[cst.BaseExpression, Scope]] = []
    instance: Instance | None = owner
    while instance is not None and instance.parent is not None:
        for arg in instance.call.args:
            if arg.keyword is None and not arg.star:
                chain.append((arg.value, instance.scope))
        chain.append((instance.call, instance.scope))
        instance = instance.parent
    return tuple(reversed(chain))


_LIMIT_KEYS = ("recursion_limit", "max_concurrency")


def _run_site(
    ctx: ExtractionContext, target: str, method: str, site: CallSite,
    configs: tuple[tuple[cst.BaseExpression, Scope], ...],
) -> RunSite:
    limits: dict[str, Bound] = {}
    for expr, scope in configs:
        _apply_config(ctx, expr, scope, limits, with_config=isinstance(expr, cst.Call))
    config = find_argument(ctx, site.node, site.scope, "config", 1)
    if config is UNKNOWN:
        for key in _LIMIT_KEYS:
            limits[key] = Bound.unknown("the run config comes from `**kwargs` that could not be resolved")
    elif isinstance(config, Given):
        _apply_config(ctx, config.expr, config.scope, limits, with_config=False)
    return RunSite(id=f"{site.scope.qualname}->{target}.{method}", target=target, method=method,
                   location=ctx.locate(site.node), limits=limits)


def _apply_config(
    ctx: ExtractionContext, expr: cst.BaseExpression, scope: Scope, limits: dict[str, Bound], *, with_config: bool
) -> None:
    if with_config:  # the ``with_config(recursion_limit=...)`` call itself
        assert isinstance(expr, cst.Call)
        for key in _LIMIT_KEYS:
            found = find_argument(ctx, expr, scope, key)
            if isinstance(found, Given):
                limits[key] = _count(ctx, found, key)
        return
    value = ctx.evaluator.evaluate(expr, scope)
    if not isinstance(value, DictValue):
        for key in _LIMIT_KEYS:
            limits[key] = Bound.unknown(f"the run config `{code(expr)}` could not be resolved statically")
        return
    for key in _LIMIT_KEYS:
        if key in value.entries:
            entry, entry_scope = value.entries[key]
            limits[key] = _count(ctx, Given(entry, entry_scope, entry), key)
        elif not value.complete:
            limits[key] = Bound.unknown(f"`{key}` may come from a config merge that could not be resolved")


def _count(ctx: ExtractionContext, found: Given, key: str) -> Bound:
    value = ctx.evaluator.evaluate(found.expr, found.scope)
    if is_none(value):
        return explicit(ctx, found, BoundStatus.UNBOUNDED, f"`{key}=None`")
    limit = number(value)
    if limit is not None:
        return explicit(ctx, found, BoundStatus.BOUNDED, f"`{key}={code(found.expr)}`", limit)
    return Bound.unknown(f"`{key}={code(found.expr)}` could not be resolved statically")


def _seconds(ctx: ExtractionContext, found: Given, key: str) -> Bound:
    """Timeouts also come as ``timedelta`` or ``TimeoutPolicy`` objects: anything but ``None`` sets one."""
    bound = _count(ctx, found, key)
    if bound.status is BoundStatus.UNKNOWN:
        return explicit(ctx, found, BoundStatus.BOUNDED, f"`{key}={code(found.expr)}`")
    return bound
