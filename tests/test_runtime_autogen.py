"""Runtime proof for the AutoGen termination rules: the team agentlint flags (AGL505: it stops only when
an agent says APPROVED) keeps talking when the model never says it, and its twin with an external bound
stops by itself. Offline and deterministic: the fixtures build their team in a function taking the
model client, and the test passes AutoGen's own ``ReplayChatCompletionClient``, which answers from a
fixed list and never reaches the network.

Each test also lints the same fixture case, so the static and runtime verdicts cannot drift apart.
"""

from __future__ import annotations

import asyncio
from types import ModuleType

import pytest

pytest.importorskip("autogen_agentchat")
pytest.importorskip("autogen_ext")

from autogen_agentchat.base import TaskResult  # noqa: E402
from autogen_ext.models.replay import ReplayChatCompletionClient  # noqa: E402

from runtime_support import findings, fixture_case, imported  # noqa: E402

pytestmark = pytest.mark.runtime

RULE = "AGL505-self-decided-termination"
TEST_MESSAGE_BOUND = 30  # the test stops a run here; a real run would go on until the process is killed
TASK = "Write a short article about agent timeouts."


def provider_stub() -> ModuleType:
    """An ``autogen_ext.models.openai`` stand-in (its real module needs the ``openai`` extra): the
    fixtures import the client for their production entry point, which the tests never call."""
    stub = ModuleType("autogen_ext.models.openai")

    def refuse(**kwargs: object) -> None:
        raise AssertionError("the runtime tests inject a replay client; no OpenAI client may be built")

    stub.OpenAIChatCompletionClient = refuse  # type: ignore[attr-defined]
    return stub


def never_approves() -> ReplayChatCompletionClient:
    """A model that keeps revising and never says APPROVED, with more answers than any run here uses."""
    return ReplayChatCompletionClient(["Here is a revised draft.", "Tighten the introduction."] * TEST_MESSAGE_BOUND)


async def _messages_until(team: object, bound: int) -> tuple[int, TaskResult | None]:
    """Messages the team produced before it stopped by itself (with its ``TaskResult``) or before the
    test stopped it at ``bound`` (``None``)."""
    count = 0
    stream = team.run_stream(task=TASK)  # type: ignore[attr-defined]
    try:
        async for item in stream:
            if isinstance(item, TaskResult):
                return count, item
            count += 1
            if count >= bound:
                return count, None
    finally:
        await stream.aclose()
    return count, None


def test_text_mention_only_team_runs_past_the_test_bound() -> None:
    case = fixture_case(RULE, "bad-text-mention-team")
    # The case's `variants.py` shows other shapes of the same mistake; the team run here is `team.py`'s.
    assert [code for code, path, _ in findings(case) if path == "app/team.py"] == ["AGL505"]

    with imported(case, "app.team", stubs={"autogen_ext.models.openai": provider_stub()}) as (module,):
        team = module.build_team(never_approves())
        count, result = asyncio.run(asyncio.wait_for(_messages_until(team, TEST_MESSAGE_BOUND), timeout=60))
    assert result is None, f"the team stopped by itself: {result.stop_reason if result else ''}"
    assert count == TEST_MESSAGE_BOUND


def test_team_with_a_message_budget_stops_by_itself() -> None:
    case = fixture_case(RULE, "ok-text-mention-with-bound")
    assert findings(case) == []

    with imported(case, "app.team", stubs={"autogen_ext.models.openai": provider_stub()}) as (module,):
        team = module.build_team(never_approves())
        count, result = asyncio.run(asyncio.wait_for(_messages_until(team, TEST_MESSAGE_BOUND), timeout=60))
        assert result is not None, "the team did not stop by itself"
        assert len(result.messages) == module.MAX_MESSAGES  # the task plus the agents' replies
        assert "Maximum number of messages" in (result.stop_reason or "")
    assert count == module.MAX_MESSAGES
