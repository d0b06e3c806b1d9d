"""Model output treated as data: raw text written to state, and text parsed with ``json.loads`` and
friends without a schema check. The building blocks of the unvalidated-hop rule."""

from __future__ import annotations

import libcst as cst

from agentlint.ir import Call, CallKind, ParsedOutput
from agentlint.python.collector import argument
from agentlint.python.context import ExtractionContext
from agentlint.python.scopes import Scope

PARSERS = frozenset({"json.loads", "ast.literal_eval", "yaml.safe_load", "yaml.load", "orjson.loads"})
# Methods and functions that check data against a schema (pydantic, TypeAdapter, jsonschema).
VALIDATORS = frozenset({"model_validate", "model_validate_json", "model_validate_strings", "parse_obj",
                        "parse_raw", "validate_python", "validate_json", "validate"})
# Calls whose result is a model's reply: LLM requests, and agent runs (``Runner.run``, ``agent.run``).
MODEL_WORK = frozenset({CallKind.LLM, CallKind.AGENT})
# How the text of a model reply is reached from the reply object (``final_output`` and ``output`` are
# what agent runs return).
_TEXT_ATTRIBUTES = frozenset({"content", "text", "output_text", "final_output", "output"})
# Agent runs that return the final answer itself rather than a result object (smolagents' ``agent.run``).
_TEXT_RUNS = frozenset({"smolagents.MultiStepAgent.run"})


class ModelText:
    """Finds expressions that are a model's raw reply text within one function. The model is a call
    recognised in this file (a ``Call``), or a method called on an imported name (its dotted path,
    which assembly resolves against the clients other modules export)."""

    def __init__(self, ctx: ExtractionContext, model_calls: list[Call]) -> None:
        self._ctx = ctx
        self._calls = {(call.location.start.row, call.location.start.column): call for call in model_calls}

    def source(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> Call | str | None:
        """The model call whose raw text ``expr`` is: ``reply.content``,
        ``reply.choices[0].message.content``, ``(await llm.ainvoke(x)).content``, or a name bound to one."""
        if depth > 4:
            return None
        if isinstance(expr, cst.Await):
            return self.source(expr.expression, scope, depth + 1)
        if isinstance(expr, cst.Attribute) and expr.attr.value in _TEXT_ATTRIBUTES:
            return self._reply(expr.value, scope, depth)
        if isinstance(expr, cst.Call):
            where = self._ctx.locate(expr)
            run = self._calls.get((where.start.row, where.start.column))
            return run if run is not None and run.target in _TEXT_RUNS else None
        if isinstance(expr, cst.Name):
            bindings = scope.lookup(expr.value)
            if len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].node is not None:
                return self.source(bindings[0].node, bindings[0].scope or scope, depth + 1)
        return None

    def _reply(self, expr: cst.BaseExpression, scope: Scope, depth: int) -> Call | str | None:
        while isinstance(expr, (cst.Attribute, cst.Subscript)):  # choices[0].message
            expr = expr.value
        if isinstance(expr, cst.Await):
            expr = expr.expression
        if isinstance(expr, cst.Call):
            where = self._ctx.locate(expr)
            local = self._calls.get((where.start.row, where.start.column))
            if local is not None or not isinstance(expr.func, cst.Attribute):
                return local
            return self._ctx.evaluator.qualified_name(expr.func, scope)
        if isinstance(expr, cst.Name) and depth <= 4:
            bindings = scope.lookup(expr.value)
            if len(bindings) == 1 and bindings[0].kind == "assign" and bindings[0].node is not None:
                return self._reply(bindings[0].node, bindings[0].scope or scope, depth + 1)
        return None


def parses(ctx: ExtractionContext, scope: Scope, text: ModelText) -> list[ParsedOutput]:
    sites = [site for site in ctx.facts.calls if site.scope is scope]
    validated = any(_is_validator(ctx, site.node, scope) for site in sites)
    found = []
    for site in sites:
        parser = ctx.evaluator.qualified_name(site.node.func, scope)
        if parser not in PARSERS:
            continue
        subject = argument(site.node, "s", 0)
        if subject is None:
            continue
        model_call = text.source(subject, scope)
        key = _state_key(subject, scope)
        if isinstance(model_call, Call):
            origin, source = "model", model_call.target
        elif model_call is not None:
            origin, source = "foreign", model_call
        elif key is not None:
            origin, source = "state", key
        else:
            continue
        found.append(ParsedOutput(location=ctx.locate(site.node), parser=parser, origin=origin, source=source,
                                  validated=validated))
    return found


def _is_validator(ctx: ExtractionContext, call: cst.Call, scope: Scope) -> bool:
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value in VALIDATORS:
        return True
    if ctx.evaluator.qualified_name(func, scope) in ("jsonschema.validate", "pydantic.TypeAdapter"):
        return True
    return any(arg.star == "**" for arg in call.args) and isinstance(func, cst.Name) and func.value[:1].isupper()


def _state_key(expr: cst.BaseExpression, scope: Scope) -> str | None:
    """``state["plan"]`` or ``state.get("plan")`` where ``state`` is the function's first parameter."""
    node = scope.node
    if not isinstance(node, cst.FunctionDef) or not node.params.params:
        return None
    state = node.params.params[0].name.value
    if isinstance(expr, cst.Subscript) and isinstance(expr.value, cst.Name) and expr.value.value == state:
        index = expr.slice[0].slice if expr.slice else None
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            key = index.value.evaluated_value
            return key if isinstance(key, str) else None
    if (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "get"
            and isinstance(expr.func.value, cst.Name) and expr.func.value.value == state and expr.args
            and isinstance(expr.args[0].value, cst.SimpleString)):
        key = expr.args[0].value.evaluated_value
        return key if isinstance(key, str) else None
    return None


def raw_text_keys(ctx: ExtractionContext, scope: Scope, text: ModelText) -> list[tuple[str, Call | str]]:
    """State keys a function returns (``return {"plan": reply.content}``) holding a model's raw text,
    with the model call (or the imported callee's path) it came from."""
    keys = []
    for statement in ctx.facts.returns.get(id(scope), []):
        if isinstance(statement.value, cst.Dict):
            for element in statement.value.elements:
                if not (isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString)):
                    continue
                source = text.source(element.value, scope)
                key = element.key.evaluated_value
                if source is not None and isinstance(key, str):
                    keys.append((key, source))
    return keys
