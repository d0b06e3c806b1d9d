"""YAML, JSON and TOML: which data files agentlint reads, and their syntax errors with positions.

A repository is full of data files that are not pipeline config (Helm templates that are not YAML at
all, JSON with comments read by editors, lock files), so a data file is parsed only when it looks like
the config of a framework agentlint understands; reporting syntax errors in anything else would be
noise. Unclaimed files are still scanned for suppression comments.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml
from pydantic import JsonValue

from agentlint.findings import Location
from agentlint.discovery import module_name
from agentlint.ir import Bound, ConfigEntry, ConfigValue, RunSite

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

DATA_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}

# AutoGen's declarative components name their class: ``"provider": "autogen_agentchat.teams..."``.
AUTOGEN_COMPONENT = re.compile(r"\"provider\"\s*:\s*\"autogen")
# (file name pattern, content pattern): CrewAI agent/task definitions, AutoGen declarative components,
# langgraph.json deployment files, smolagents agent.json.
_CLAIMS: tuple[tuple[re.Pattern[str], re.Pattern[str] | None], ...] = (
    (re.compile(r"(^|/)langgraph\.json$"), None),
    (re.compile(r"(^|/)config/(agents|tasks)\.ya?ml$"), None),
    (re.compile(r"\.(ya?ml|toml)$"), re.compile(r"^\s*[\"']?(backstory|expected_output)[\"']?\s*[:=]", re.M)),
    (re.compile(r"\.json$"), AUTOGEN_COMPONENT),
    (re.compile(r"(^|/)agent\.json$"), re.compile(r"smolagents|\"tools\"")),
)

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DataSyntaxError(Exception):
    def __init__(self, message: str, row: int, column: int) -> None:
        super().__init__(message)
        self.message, self.row, self.column = message, row, column


def claims(path: str, text: str) -> bool:
    return any(name.search(path) and (content is None or content.search(text)) for name, content in _CLAIMS)


def parse(kind: str, text: str) -> object:
    """The parsed documents; raises ``DataSyntaxError`` with a 1-based position."""
    if kind == "yaml":
        try:
            return list(yaml.load_all(text, Loader=YAML_LOADER))
        except yaml.MarkedYAMLError as error:
            # At the end of the stream the problem mark is past the last line; the context mark says
            # where the unterminated construct (a quote, a flow list) began.
            at_end = "end of stream" in str(error.problem or "")
            mark = (error.context_mark if at_end and error.context_mark else None) or error.problem_mark or error.context_mark
            message = f"{error.problem or error.context or 'invalid YAML'}".strip()
            raise DataSyntaxError(message, (mark.line + 1) if mark else 1, (mark.column + 1) if mark else 1) from None
        except yaml.YAMLError as error:
            raise DataSyntaxError(str(error).splitlines()[0], 1, 1) from None
    if kind == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise DataSyntaxError(error.msg, error.lineno, error.colno) from None
        except RecursionError:
            raise DataSyntaxError("JSON nested too deeply", 1, 1) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        row, column = _toml_position(str(error))
        raise DataSyntaxError(re.sub(r"\s*\(at .*\)$", "", str(error)), row, column) from None


_CREWAI_ROLES = (
    ("crewai-agents", re.compile(r"agents\.ya?ml$"), frozenset({"role", "goal", "backstory"})),
    ("crewai-tasks", re.compile(r"tasks\.ya?ml$"), frozenset({"description", "expected_output"})),
)


def config_entries(path: str, kind: str, text: str) -> list[ConfigEntry]:
    """The top-level entries of a CrewAI agents/tasks YAML file with the position of every field, so
    a finding about a setting made in YAML can point at its line. Call after ``parse`` succeeded:
    composing keeps the node marks that loading throws away."""
    if kind != "yaml":
        return []
    loader = yaml.SafeLoader(text)
    try:
        document = loader.get_single_node()
        if not isinstance(document, yaml.MappingNode):
            return []
        entries = []
        for key_node, value_node in _pairs(loader, document):
            if not isinstance(value_node, yaml.MappingNode):
                continue
            fields = {
                field.value: ConfigValue(value=node_value(loader, value), location=span(path, field, value))
                for field, value in _pairs(loader, value_node)
            }
            entries.append(ConfigEntry(role=_crewai_role(path, fields), key=key_node.value,
                                       location=span(path, key_node, key_node), fields=fields))
        return entries
    except yaml.YAMLError:
        return []  # e.g. several documents: CrewAI's ``yaml.safe_load`` refuses the file too
    finally:
        loader.dispose()


def _pairs(loader: yaml.SafeLoader, node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
    """Key/value nodes with ``<<: *anchor`` merges applied, as ``yaml.safe_load`` would see them."""
    loader.flatten_mapping(node)
    return [(key, value) for key, value in node.value if isinstance(key, yaml.ScalarNode)]


def node_value(loader: yaml.SafeLoader, node: yaml.Node) -> JsonValue:
    """A composed node's value as JSON data (``None`` when it cannot be constructed)."""
    try:
        value = loader.construct_object(node, deep=True)
    except yaml.YAMLError:
        return None
    return _jsonable(value)


def _jsonable(value: object) -> JsonValue:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    return str(value)  # timestamps, binary: only their presence matters to rules


def span(path: str, start: yaml.Node, end: yaml.Node) -> Location:
    return Location.at(path, start.start_mark.line + 1, start.start_mark.column + 1,
                       end.end_mark.line + 1, end.end_mark.column + 1)


def _crewai_role(path: str, fields: dict[str, ConfigValue]) -> str:
    for role, name, _ in _CREWAI_ROLES:
        if name.search(path):
            return role
    for role, _, keys in _CREWAI_ROLES:
        if keys & fields.keys():
            return role
    return "crewai-unknown"


def _toml_position(message: str) -> tuple[int, int]:
    match = re.search(r"at line (\d+), column (\d+)", message)
    return (int(match.group(1)), int(match.group(2))) if match else (1, 1)


def langgraph_entry_points(relative: str, path: Path, document: object, lines: list[str]) -> list[RunSite]:
    """``langgraph.json``'s ``graphs`` (``"agent": "./src/agent/graph.py:graph"``) as run sites: LangGraph
    Platform runs them with whatever config each request brings, so their limits are unknown (rules
    stay quiet on such runs) but the graphs count as run."""
    if not (relative.endswith("langgraph.json") and isinstance(document, dict)):
        return []
    graphs = document.get("graphs")
    runs = []
    for name, spec in (graphs.items() if isinstance(graphs, dict) else ()):
        target = spec.get("path") if isinstance(spec, dict) else spec
        if not isinstance(target, str) or ":" not in target:
            continue
        file_part, variable = target.rsplit(":", 1)
        module = module_name((path.parent / file_part).resolve())
        row = next((index + 1 for index, line in enumerate(lines) if f'"{name}"' in line), 1)
        unknown = Bound.unknown("set per request by LangGraph Platform")
        runs.append(RunSite(id=f"{relative}:{name}", target=f"{module}.{variable}", method="platform",
                            location=Location.at(relative, row), limits={"recursion_limit": unknown,
                                                                         "max_concurrency": unknown}))
    return runs
