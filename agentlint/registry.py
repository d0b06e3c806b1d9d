"""Discovering rules from ``agentlint.rules`` and choosing which run.

Adding a rule means adding a module under ``rules/``; nothing else registers it. Duplicate codes or
names, or malformed ones, fail at load: two rules answering to one code would make suppressions and
baselines ambiguous.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
from collections.abc import Iterable

from agentlint.rule import CODE_PATTERN, NAME_PATTERN, EngineRule, GraphRule, Rule


class RuleLoadError(Exception):
    pass


class SelectorError(Exception):
    pass


@functools.cache
def all_rules() -> tuple[type[Rule], ...]:
    package = importlib.import_module("agentlint.rules")
    found: list[type[Rule]] = []
    for module_info in pkgutil.walk_packages(package.__path__, prefix="agentlint.rules."):
        module = importlib.import_module(module_info.name)
        for _, member in inspect.getmembers(module, inspect.isclass):
            if issubclass(member, Rule) and member.__module__ == module.__name__ and "code" in member.__dict__:
                found.append(member)
    validate(found)
    return tuple(sorted(found, key=lambda rule: rule.code))


def validate(rules: Iterable[type[Rule]]) -> None:
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    for rule in rules:
        where = f"{rule.__module__}.{rule.__qualname__}"
        if not CODE_PATTERN.match(rule.code):
            raise RuleLoadError(f"{where}: rule code `{rule.code}` must look like `AGL123`")
        if not NAME_PATTERN.match(rule.name):
            raise RuleLoadError(f"{where}: rule name `{rule.name}` must be kebab-case")
        if not issubclass(rule, (GraphRule, EngineRule)):
            raise RuleLoadError(f"{where}: a rule must derive from GraphRule or EngineRule")
        for key, table in ((rule.code, codes), (rule.name, names)):
            if key in table:
                raise RuleLoadError(f"{where}: `{key}` is already used by {table[key]}")
            table[key] = where


def lookup(code_or_name: str) -> type[Rule] | None:
    wanted = code_or_name.strip()
    return next((rule for rule in all_rules() if wanted.upper() == rule.code or wanted == rule.name), None)


def check_selectors(selectors: Iterable[str], *, source: str) -> None:
    codes = [rule.code for rule in all_rules()]
    for selector in selectors:
        if not any(code.startswith(selector) for code in codes):
            raise SelectorError(f"{source}: unknown rule selector `{selector}` (expected a code or prefix like `AGL1`)")


def select_rules(select: Iterable[str], ignore: Iterable[str]) -> list[type[Rule]]:
    """ruff's resolution: the most specific matching selector wins, and on a tie ``ignore`` wins."""
    selected, ignored = tuple(select), tuple(ignore)
    enabled = []
    for rule in all_rules():
        best_select = max((len(s) for s in selected if rule.code.startswith(s)), default=-1)
        best_ignore = max((len(s) for s in ignored if rule.code.startswith(s)), default=-1)
        if best_select >= 0 and best_select > best_ignore:
            enabled.append(rule)
    return enabled
