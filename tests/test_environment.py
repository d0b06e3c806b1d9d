"""Deployment files: the variables rules depend on are read from .env files, Dockerfiles, compose
files and langgraph.json, with their positions, and nothing else is."""

from pathlib import Path

from agentlint.environment import deployment_fragments


def settings(tmp_path: Path, name: str, text: str) -> dict[str, tuple[object, int, int]]:
    (tmp_path / name).write_text(text)
    fragments = deployment_fragments([(tmp_path, ".")])
    return {key: (value.value, value.location.start.row, value.location.start.column)
            for fragment in fragments for key, value in fragment.environment.items()}


def test_dotenv_with_export_and_comment(tmp_path: Path) -> None:
    found = settings(tmp_path, ".env", "A=1\nexport LANGGRAPH_DEFAULT_RECURSION_LIMIT=40 # cap\n")
    assert found == {"LANGGRAPH_DEFAULT_RECURSION_LIMIT": (40, 2, 8)}


def test_dockerfile_env_forms(tmp_path: Path) -> None:
    assert settings(tmp_path, "Dockerfile", "FROM x\nENV LANGGRAPH_DEFAULT_RECURSION_LIMIT 25\n") == {
        "LANGGRAPH_DEFAULT_RECURSION_LIMIT": (25, 2, 5)}


def test_compose_list_and_mapping(tmp_path: Path) -> None:
    text = "services:\n  api:\n    environment:\n      LANGGRAPH_DEFAULT_RECURSION_LIMIT: \"30\"\n"
    assert settings(tmp_path, "compose.yaml", text) == {"LANGGRAPH_DEFAULT_RECURSION_LIMIT": (30, 4, 7)}


def test_langgraph_json_env(tmp_path: Path) -> None:
    text = '{"graphs": {"a": "./a.py:g"}, "env": {"LANGGRAPH_DEFAULT_RECURSION_LIMIT": "45"}}'
    assert settings(tmp_path, "langgraph.json", text) == {"LANGGRAPH_DEFAULT_RECURSION_LIMIT": (45, 1, 40)}


def test_values_that_are_not_plain_numbers_and_other_files_are_ignored(tmp_path: Path) -> None:
    assert settings(tmp_path, ".env", "LANGGRAPH_DEFAULT_RECURSION_LIMIT=${LIMIT}\n") == {}
    assert settings(tmp_path, "notes.txt", "LANGGRAPH_DEFAULT_RECURSION_LIMIT=10\n") == {}
    assert settings(tmp_path, "settings.env", "OTHER_LIMIT=10\n") == {}
