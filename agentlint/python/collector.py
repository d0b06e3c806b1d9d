"""The single libcst pass over a module: scopes, bindings, every call with its enclosing time bounds.

Adapters never walk the tree again; they read what this pass recorded and ask the ``Evaluator``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst

from agentlint.python.scopes import Binding, Scope

# The last component of callables/context managers that bound every await inside them. Checked as a
# string first so the name lookup only runs for plausible candidates.
TIMEOUT_WRAPPERS = {
    "asyncio.timeout": "delay",
    "asyncio.timeout_at": "when",
    "asyncio.wait_for": "timeout",
    "anyio.fail_after": "delay",
    "anyio.move_on_after": "delay",
    "async_timeout.timeout": "delay",
    "trio.fail_after": "seconds",
    "trio.move_on_after": "seconds",
}
# A ``with`` on something named like a lock guards the block (generous: a wrong guess keeps rules quiet).
LOCK_LIKE = re.compile(r"lock|mutex|semaphore|\bsem\b|_sem\b", re.I)
_WRAPPER_LAST_NAMES = {name.rsplit(".", 1)[1] for name in TIMEOUT_WRAPPERS}
_WRAPPER_ARGUMENT_INDEX = {"asyncio.wait_for": 1}


@dataclass(frozen=True)
class Wrapper:
    """An enclosing ``async with asyncio.timeout(x)`` / ``wait_for(..., x)``; ``limit`` is the
    expression given for the limit (``None`` when it was not given at all)."""

    target: str
    node: cst.CSTNode
    limit: cst.BaseExpression | None
    scope: Scope


@dataclass(frozen=True)
class CallSite:
    node: cst.Call
    scope: Scope
    wrappers: tuple[Wrapper, ...]
    loops: tuple[cst.For | cst.While, ...] = ()  # enclosing loops within the same function, outermost first


@dataclass(frozen=True)
class AttributeWrite:
    """``base.attr = value`` where ``base`` is a plain name or ``self.x``: post-construction changes to
    a client (``client.timeout = None``) or a session patched in ways agentlint cannot follow."""

    base: cst.BaseExpression
    attr: str
    value: cst.BaseExpression
    scope: Scope
    node: cst.CSTNode


@dataclass
class ModuleFacts:
    module: Scope
    calls: list[CallSite] = field(default_factory=list)
    attribute_writes: list[AttributeWrite] = field(default_factory=list)
    # The variable a value was bound to, by the value node's id: names clients in ids and messages.
    bound_names: dict[int, str] = field(default_factory=dict)
    definitions: list[Scope] = field(default_factory=list)  # every def and class, in source order
    returns: dict[int, list[cst.Return]] = field(default_factory=dict)  # by id of the function's scope
    context_managers: dict[int, list[cst.BaseExpression]] = field(default_factory=dict)  # ``with X`` by scope id
    # ``global X`` then ``X += ...`` (or ``X = X ...``) in a function: (name, node, scope, under a lock)
    global_updates: list[tuple[str, cst.CSTNode, Scope, bool]] = field(default_factory=list)
    while_loops: list[tuple[cst.While, Scope]] = field(default_factory=list)
    # Functions (by scope id) that write an item or attribute of a module-level object, or a workflow
    # store (``ctx.store.set``): the only ones an awaited read-modify-write can be found in.
    shared_writers: set[int] = field(default_factory=set)


class Collector(cst.CSTVisitor):
    def __init__(self, module_name: str, package: str) -> None:
        self.facts = ModuleFacts(Scope("module", module_name, None, dotted=module_name))
        self._package = package
        self._scope = self.facts.module
        self._wrappers: tuple[Wrapper, ...] = ()
        self._loops: tuple[cst.For | cst.While, ...] = ()
        self._saved: list[tuple[tuple[Wrapper, ...], tuple[cst.For | cst.While, ...], int]] = []
        self._pushed: dict[int, int] = {}
        self._locks: dict[int, int] = {}
        self._lock_depth = 0
        self._globals: dict[int, set[str]] = {}

    # scopes ---------------------------------------------------------------------------------------
    def _bind(self, name: str, binding: Binding) -> None:
        target = self.facts.module if name in self._globals.get(id(self._scope), ()) else self._scope
        target.bind(name, binding)

    def _enter(self, kind: str, name: str, node: cst.CSTNode) -> Scope:
        qualname = f"{self._scope.qualname}.{name}" if self._scope.kind != "module" else f"{self._scope.qualname}:{name}"
        scope = Scope(kind, qualname, self._scope, dotted=f"{self._scope.dotted}.{name}", node=node)
        if kind != "function" or name != "<lambda>":
            self.facts.definitions.append(scope)
        self._scope = scope
        if kind == "function":
            self._saved.append((self._wrappers, self._loops, self._lock_depth))
            self._wrappers, self._loops, self._lock_depth = (), (), 0
        return scope

    def _leave(self) -> None:
        if self._scope.kind == "function":
            self._wrappers, self._loops, self._lock_depth = self._saved.pop()
        assert self._scope.parent is not None
        self._scope = self._scope.parent

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind(node.name.value, Binding("def", qualified=f"{self._scope.dotted}.{node.name.value}", scope=self._scope))
        self._enter("class", node.name.value, node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._leave()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind(node.name.value, Binding("def", qualified=f"{self._scope.dotted}.{node.name.value}", scope=self._scope))
        outer = self._scope
        scope = self._enter("function", node.name.value, node)
        self._bind_parameters(node.params)
        if outer.kind == "class":
            positional = [*node.params.posonly_params, *node.params.params]
            is_static = any(
                isinstance(d.decorator, cst.Name) and d.decorator.value == "staticmethod" for d in node.decorators
            )
            if positional and not is_static:
                scope.self_name = positional[0].name.value
                scope.owner_class = outer

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._leave()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._enter("function", "<lambda>", node)
        self._bind_parameters(node.params)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._leave()

    def _bind_parameters(self, params: cst.Parameters) -> None:
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                every.append(extra)
        for param in every:
            self._bind(param.name.value, Binding("param", scope=self._scope))

    def visit_Return(self, node: cst.Return) -> None:
        self.facts.returns.setdefault(id(self._scope), []).append(node)

    def visit_Global(self, node: cst.Global) -> None:
        self._globals.setdefault(id(self._scope), set()).update(item.name.value for item in node.names)

    # bindings -------------------------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = _dotted(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self._bind(alias.asname.name.value, Binding("import", qualified=dotted, scope=self._scope))
            else:
                root = dotted.split(".", 1)[0]
                self._bind(root, Binding("import", qualified=root, scope=self._scope))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        base = _dotted(node.module) if node.module is not None else ""
        if node.relative:
            anchor = self._package.rsplit(".", len(node.relative) - 1)[0] if len(node.relative) > 1 else self._package
            base = f"{anchor}.{base}".strip(".")
        for alias in node.names:
            imported = _dotted(alias.name)
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else imported
            self._bind(local, Binding("import", qualified=f"{base}.{imported}".strip("."), scope=self._scope))

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, node.value)
            self._global_update(target.target, node, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind_target(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind_target(node.target, None)
        self._global_update(node.target, node, None)

    def _global_update(self, target: cst.BaseExpression, node: cst.CSTNode, value: cst.BaseExpression | None) -> None:
        """A read-modify-write of module state from inside a function (not atomic across threads): a
        ``global`` name, or an item or attribute of a module-level object (``COUNTS[k] += 1``)."""
        name = self._module_state(target)
        if name is None:
            return
        if not isinstance(target, cst.Name):
            self.facts.shared_writers.add(id(self._scope))
        read = name if isinstance(target, cst.Name) else cst.Module(body=[]).code_for_node(target.value)  # type: ignore[attr-defined]
        if value is not None and not re.search(rf"(?<![\w.]){re.escape(read)}(?!\w)", cst.Module(body=[]).code_for_node(value)):
            return
        self.facts.global_updates.append((name, node, self._scope, self._lock_depth > 0))

    def _module_state(self, target: cst.BaseExpression) -> str | None:
        """How a message names the module state ``target`` writes, if it writes any from a function."""
        if isinstance(target, cst.Name):
            return target.value if target.value in self._globals.get(id(self._scope), ()) else None
        if self._scope.kind != "function" or not isinstance(target, (cst.Subscript, cst.Attribute)):
            return None
        base = target.value
        if not (isinstance(base, cst.Name) and base.value not in self._scope.bindings):
            return None
        bindings = self.facts.module.bindings.get(base.value, [])
        if not bindings or any(binding.kind != "assign" for binding in bindings) or self._scope.lookup(base.value) is not bindings:
            return None
        return cst.Module(body=[]).code_for_node(target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, None)

    def visit_For(self, node: cst.For) -> None:
        self._bind_target(node.target, None)
        self._loops = (*self._loops, node)

    def leave_For(self, original_node: cst.For) -> None:
        self._loops = self._loops[:-1]

    def visit_While(self, node: cst.While) -> None:
        self.facts.while_loops.append((node, self._scope))
        self._loops = (*self._loops, node)

    def leave_While(self, original_node: cst.While) -> None:
        self._loops = self._loops[:-1]

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind_target(node.target, None)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind_target(node.name.name, None)

    def _bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        if isinstance(target, cst.Name):
            kind = "assign" if value is not None else "other"
            self._bind(target.value, Binding(kind, node=value, scope=self._scope))
            if value is not None:
                self.facts.bound_names[id(value)] = target.value
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value, None)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, None)
        elif isinstance(target, cst.Attribute) and value is not None:
            self._attribute_write(target, value)

    def _attribute_write(self, target: cst.Attribute, value: cst.BaseExpression) -> None:
        scope = self._scope
        base = target.value
        if isinstance(base, cst.Name) and base.value == scope.self_name and scope.owner_class is not None:
            scope.owner_class.attributes.setdefault(target.attr.value, []).append(
                Binding("assign", node=value, scope=scope)
            )
            self.facts.bound_names[id(value)] = f"self.{target.attr.value}"
        if isinstance(base, (cst.Name, cst.Attribute)):
            self.facts.attribute_writes.append(AttributeWrite(base, target.attr.value, value, scope, target))

    # calls and time bounds ------------------------------------------------------------------------
    def visit_With(self, node: cst.With) -> None:
        pushed = 0
        locks = 0
        for item in node.items:
            self.facts.context_managers.setdefault(id(self._scope), []).append(item.item)
            if LOCK_LIKE.search(cst.Module(body=[]).code_for_node(item.item)):
                locks += 1
            wrapper = self._wrapper(item.item)
            if wrapper is not None:
                self._wrappers = (*self._wrappers, wrapper)
                pushed += 1
            if item.asname is not None:
                self._bind_target(item.asname.name, item.item)
        self._pushed[id(node)] = pushed
        self._locks[id(node)] = locks
        self._lock_depth += locks

    def leave_With(self, original_node: cst.With) -> None:
        self._lock_depth -= self._locks.pop(id(original_node), 0)
        pushed = self._pushed.pop(id(original_node), 0)
        if pushed:
            self._wrappers = self._wrappers[:-pushed]

    def visit_Call(self, node: cst.Call) -> None:
        self.facts.calls.append(CallSite(node, self._scope, self._wrappers, self._loops))
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "set" and isinstance(func.value, cst.Attribute) \
                and func.value.attr.value == "store":
            self.facts.shared_writers.add(id(self._scope))
        wrapper = self._wrapper(node)
        if wrapper is not None:
            self._wrappers = (*self._wrappers, wrapper)
            self._pushed[id(node)] = 1

    def leave_Call(self, original_node: cst.Call) -> None:
        if self._pushed.pop(id(original_node), 0):
            self._wrappers = self._wrappers[:-1]

    def _wrapper(self, expr: cst.BaseExpression) -> Wrapper | None:
        if not isinstance(expr, cst.Call):
            return None
        func = expr.func
        last = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else None
        if last not in _WRAPPER_LAST_NAMES:
            return None
        target = self._imported_name(func)
        if target not in TIMEOUT_WRAPPERS:
            return None
        keyword = TIMEOUT_WRAPPERS[target]
        index = _WRAPPER_ARGUMENT_INDEX.get(target, 0)
        limit = argument(expr, keyword, index)
        return Wrapper(target, expr, limit, self._scope)

    def _imported_name(self, expr: cst.BaseExpression) -> str | None:
        """Resolve ``a.b.c`` whose root is an import, using the bindings seen so far (imports precede use)."""
        if isinstance(expr, cst.Attribute):
            base = self._imported_name(expr.value)
            return f"{base}.{expr.attr.value}" if base else None
        if isinstance(expr, cst.Name):
            bindings = self._scope.lookup(expr.value)
            if len(bindings) == 1 and bindings[0].kind == "import":
                return bindings[0].qualified
        return None


def argument(call: cst.Call, keyword: str, position: int | None) -> cst.BaseExpression | None:
    """The expression passed for a parameter by keyword or, before any ``*args``, by position."""
    index = 0
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value == keyword:
                return arg.value
            continue
        if arg.star:
            return None
        if index == position:
            return arg.value
        index += 1
    return None


def _dotted(expr: cst.BaseExpression) -> str:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return f"{_dotted(expr.value)}.{expr.attr.value}"
    return ""
