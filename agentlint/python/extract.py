"""``extract_python(path, text) -> Fragment``: parse once, collect once, let each adapter read the facts.

A cheap byte-level prefilter keeps files that mention no module agentlint understands away from libcst
(DESIGN.md section 5): they are still syntax-checked, with CPython's own parser, which is an order of
magnitude cheaper, and confirmed with libcst before anything is reported, since libcst knows newer
grammar than the running interpreter may.
"""

from __future__ import annotations

import ast
import re
import warnings

import libcst as cst

from agentlint.ir import Fragment
from agentlint.python import (
    autogen,
    clients,
    concurrency,
    crewai,
    functions,
    http,
    langgraph,
    llama_index,
    llm,
    loops,
    mcp,
    openai_agents,
    processes,
    pydantic_ai,
    smolagents,
)
from agentlint.python.adapter import Adapter, FrameworkFacts
from agentlint.python.collector import Collector, ModuleFacts
from agentlint.python.context import ExtractionContext
from agentlint.python.scopes import Scope
from agentlint.python.values import Evaluator
from agentlint.sources import split_lines

# Agent frameworks, each one module with the ``Adapter`` interface.
ADAPTERS: tuple[Adapter, ...] = (crewai, autogen, openai_agents, pydantic_ai, smolagents, llama_index)  # type: ignore[assignment]
UNDERSTOOD_MODULES = (*http.MODULES, *llm.MODULES, *mcp.MODULES, *langgraph.MODULES, *concurrency.MODULES,
                      *processes.MODULES, *(module for adapter in ADAPTERS for module in adapter.MODULES))
# Files that import a module agentlint understands (words in comments and docstrings do not count).
# Besides those: ``socket.setdefaulttimeout`` bounds urllib everywhere; state schemas often live
# in a module that imports nothing but ``typing``; and node functions (``state[...]``) and run sites
# (``graph.invoke(...)``) often live in modules that import only the project's own packages.
_MODULES = "|".join(UNDERSTOOD_MODULES)
_PREFILTER = re.compile(
    rf"^[ \t]*(?:from[ \t]+(?:{_MODULES})\b|import[ \t][^\n]*\b(?:{_MODULES})\b)"
    rf"|\b(?:setdefaulttimeout|TypedDict|{'|'.join(crewai.MARKERS)})\b|\bstate\[|\.a?(?:invoke|stream|batch)\("
    rf"|{autogen.RUN_MARKER}",
    re.M,
)
# Node functions often live in modules that never import langgraph (they take and return state), and
# graphs are often run from modules that only import the graph; likewise AutoGen teams
# (``team.run(task=...)``) built by a factory in another module.
_GRAPH_HINT = re.compile(r"langgraph|\bstate\b|\.a?(?:invoke|stream|batch)\(")
_CANONICAL = {**http.CANONICAL, **llm.CANONICAL, **mcp.CANONICAL, **langgraph.CANONICAL, **concurrency.CANONICAL,
              **{name: canonical for adapter in ADAPTERS for name, canonical in adapter.CANONICAL.items()}}
_CLIENTS = http.CATALOG | llm.CATALOG | mcp.CATALOG | processes.CATALOG
for _adapter in ADAPTERS:
    _CLIENTS = _CLIENTS | _adapter.CATALOG


class PythonSyntaxError(Exception):
    def __init__(self, message: str, row: int, column: int) -> None:
        super().__init__(message)
        self.message, self.row, self.column = message, row, column


class UnanalysableError(Exception):
    """Valid or not, input agentlint cannot analyse: mostly nesting beyond what the parsers take.
    libcst's native parser overflows the C stack on such input (a segfault, not an exception), so
    CPython's parser, which fails cleanly, screens every file first."""

    def __init__(self, message: str, row: int = 1) -> None:
        super().__init__(message)
        self.row = row


_NESTING_MESSAGES = ("too many nested parentheses", "too complex")


def module_name(path: str) -> str:
    parts = path.removesuffix(".py").split("/")
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(part for part in parts if part) or "__main__"


def extract_python(path: str, text: str, module: str | None = None) -> Fragment:
    """Raises ``PythonSyntaxError`` for unparseable source and ``UnanalysableError`` for source nested
    too deeply to analyse; the engine turns both into findings for this file. ``module`` is the
    importable name, derived from the package layout by the caller (the path alone cannot tell)."""
    name = module or module_name(path)
    # Package ``__init__`` files are read whatever they import: they are where re-exports live.
    relevant = path.endswith("__init__.py") or bool(_PREFILTER.search(text))
    tree, python_ast = _parse(text, need_tree=relevant)
    if tree is None:
        return Fragment(path=path, module=name, constants=_constants(python_ast, name))
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    collector = Collector(name, package)
    try:
        tree.visit(collector)
        facts = collector.facts
        evaluator = Evaluator(
            _CANONICAL,
            {**_CLIENTS.derivers, **langgraph.DERIVERS},
            frozenset(_CLIENTS.clients) | langgraph.KNOWN_INSTANCES,
            langgraph.DICT_CONSTRUCTORS,
            _factories(facts),
        )
        ctx = ExtractionContext(path, tree, facts, evaluator, python_ast, split_lines(text))
        found_clients, calls, foreign = clients.extract(ctx, _CLIENTS)
        socket_default = http.socket_default_timeout(ctx)
        graph_aware = bool(_GRAPH_HINT.search(text))
        schemas, graphs, runs, prebuilt_routers = langgraph.extract(ctx) if graph_aware else ((), (), (), ())
        framework = FrameworkFacts()
        for adapter in ADAPTERS:
            if adapter.HINT.search(text):
                framework.extend(adapter.extract(ctx))
        calls = [*calls, *framework.calls]
        return Fragment(
            path=path,
            module=name,
            clients=tuple(found_clients),
            calls=tuple(calls),
            socket_default_timeout=ctx.locate(socket_default) if socket_default is not None else None,
            exports=_exports(facts),
            schemas=tuple(schemas),
            functions=(*functions.facts(ctx, calls, graph_aware), *prebuilt_routers),
            graphs=tuple(graphs),
            run_sites=(*runs, *framework.run_sites),
            retries=(*concurrency.retries(ctx), *langgraph.node_retries(graphs)),
            fan_outs=(*concurrency.fan_outs(ctx, calls), *framework.fan_outs),
            loops=tuple(loops.loops(ctx, calls)),
            agents=tuple(framework.agents),
            tasks=tuple(framework.tasks),
            teams=tuple(framework.teams),
            flows=tuple(framework.flows),
            hops=tuple(framework.hops),
            delegations=tuple(framework.delegations),
            foreign_calls=tuple(foreign),
            constants=_constants(python_ast, name),
        )
    except RecursionError:
        raise UnanalysableError("expressions are nested too deeply for agentlint to analyse") from None


def _factories(facts: ModuleFacts) -> dict[str, list[tuple[cst.BaseExpression, Scope]]]:
    """Module-level functions and what they return, so a call to a simple factory can be followed."""
    factories = {}
    for scope in facts.definitions:
        if scope.kind == "function" and scope.parent is facts.module:
            returned = [(ret.value, scope) for ret in facts.returns.get(id(scope), []) if ret.value is not None]
            if returned:
                factories[scope.dotted] = returned
    return factories


def _constants(tree: ast.Module | None, module: str) -> dict[str, object]:
    """Module-level names bound once to a literal (``TIMEOUT = 30``, ``HTTP_OPTIONS = {"timeout": 20}``),
    read from the ast tree the syntax screen built, so that even a settings module that imports
    nothing agentlint knows can settle other modules' ``timeout=settings.TIMEOUT``."""
    if tree is None:
        return {}
    assigned: dict[str, int] = {}
    values: dict[str, object] = {}
    for statement in tree.body:
        targets = statement.targets if isinstance(statement, ast.Assign) else (
            [statement.target] if isinstance(statement, ast.AnnAssign) and statement.value is not None else [])
        for target in targets:
            if isinstance(target, ast.Name):
                assigned[target.id] = assigned.get(target.id, 0) + 1
                value = _literal(statement.value, values)  # type: ignore[union-attr,arg-type]
                if value is _NOT_LITERAL:
                    values.pop(target.id, None)
                else:
                    values[target.id] = value
    return {f"{module}.{name}": _json(value) for name, value in values.items() if assigned[name] == 1 and _jsonable(value)}


_NOT_LITERAL = object()


def _literal(node: ast.expr, known: dict[str, object], depth: int = 0) -> object:
    """``ast.literal_eval`` that also reads names bound earlier in the module (``{"agent": USER_AGENT}``)."""
    if depth > 8:
        return _NOT_LITERAL
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return known.get(node.id, _NOT_LITERAL)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return -node.operand.value if isinstance(node.operand.value, (int, float)) else _NOT_LITERAL
    if isinstance(node, (ast.Tuple, ast.List)):
        items = [_literal(item, known, depth + 1) for item in node.elts]
        return _NOT_LITERAL if any(item is _NOT_LITERAL for item in items) else tuple(items)
    if isinstance(node, ast.Dict) and all(isinstance(key, ast.Constant) for key in node.keys):
        values = [_literal(value, known, depth + 1) for value in node.values]
        if any(value is _NOT_LITERAL for value in values):
            return _NOT_LITERAL
        return {key.value: value for key, value in zip(node.keys, values)}  # type: ignore[union-attr]
    return _NOT_LITERAL


def _jsonable(value: object, depth: int = 0) -> bool:
    """Small values only: limits are numbers, ``None``, pairs, or keyword dicts; a module's big data
    tables would only bloat every fragment."""
    if depth > 3:
        return False
    if isinstance(value, (tuple, list)):
        return len(value) <= 8 and all(_jsonable(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return len(value) <= 50 and all(isinstance(key, str) and _jsonable(item, depth + 1) for key, item in value.items())
    if isinstance(value, str):
        return len(value) <= 200
    return value is None or isinstance(value, (bool, int, float))


def _json(value: object) -> object:
    if isinstance(value, (tuple, list)):
        return [_json(item) for item in value]
    if isinstance(value, dict):
        return {key: _json(item) for key, item in value.items()}
    return value


def _exports(facts: ModuleFacts) -> dict[str, str]:
    module = facts.module
    return {
        f"{module.dotted}.{alias}": bindings[0].qualified
        for alias, bindings in module.bindings.items()
        if len(bindings) == 1 and bindings[0].kind == "import" and bindings[0].qualified
    }


def _parse(text: str, *, need_tree: bool) -> tuple[cst.Module | None, ast.Module | None]:
    """CPython's parser first: cheap, and safe on pathological nesting. libcst only when the tree is
    needed, or to confirm a syntax error (libcst accepts grammar newer than the running interpreter).
    The ast tree is returned too: it locates definitions far more cheaply than libcst's positions."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (RecursionError, MemoryError):
        raise UnanalysableError("expressions are nested too deeply for the Python parser") from None
    except SyntaxError as error:
        if any(marker in str(error.msg) for marker in _NESTING_MESSAGES):
            raise UnanalysableError(f"the Python parser refuses this file: {error.msg}", error.lineno or 1) from None
        module = _libcst_parse(text)
        if module is None:
            raise PythonSyntaxError(error.msg, error.lineno or 1, error.offset or 1) from None
        return module, None
    except ValueError as error:  # e.g. "source code string cannot contain null bytes"
        raise PythonSyntaxError(str(error), 1, 1) from None
    if not need_tree:
        return None, tree
    module = _libcst_parse(text)
    if module is None:
        raise UnanalysableError("libcst cannot parse this file although CPython can")
    return module, tree


def _libcst_parse(text: str) -> cst.Module | None:
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError:
        return None
    except RecursionError:
        raise UnanalysableError("expressions are nested too deeply for agentlint to analyse") from None
