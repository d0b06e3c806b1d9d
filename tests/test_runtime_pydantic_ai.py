"""Runtime proof for AGL306 (sub-agent-outside-usage-budget) on Pydantic AI: the tool agentlint flags
lets the lead agent's run make more model requests than its ``request_limit``, and its twin that passes
``usage=ctx.usage`` is stopped by the same limit.

Offline and deterministic: the fixtures build their agents on ``openai:gpt-4o``, which only needs an
API key in the environment to construct; every run goes through ``Agent.override(model=...)`` with
Pydantic AI's own ``FunctionModel``, so no request leaves the process. Each test also lints the same
fixture case, so the static verdict and the runtime verdict cannot drift apart.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from types import ModuleType

import pytest

pytest.importorskip("pydantic_ai")
pytest.importorskip("openai")

from pydantic_ai.exceptions import UsageLimitExceeded  # noqa: E402
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart, ToolReturnPart  # noqa: E402
from pydantic_ai.models.function import AgentInfo, FunctionModel  # noqa: E402

from runtime_support import findings, fixture_case, imported  # noqa: E402

pytestmark = pytest.mark.runtime

RULE = "AGL306-sub-agent-outside-usage-budget"
QUESTIONS = 4  # research calls the lead makes in its first response, one sub-agent request each


def _lead(requests: Counter[str]) -> FunctionModel:
    """Asks for ``QUESTIONS`` researches at once, then answers once their results are in."""

    def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        requests["lead"] += 1
        if any(isinstance(part, ToolReturnPart) for message in messages for part in message.parts):
            return ModelResponse(parts=[TextPart("Agents need budgets.")])
        return ModelResponse(parts=[ToolCallPart("research", {"question": f"fact {n}"}) for n in range(QUESTIONS)])

    return FunctionModel(respond)


def _researcher(requests: Counter[str]) -> FunctionModel:
    def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        requests["researcher"] += 1
        return ModelResponse(parts=[TextPart("A sourced fact.")])

    return FunctionModel(respond)


def _answer(agents: ModuleType, requests: Counter[str]) -> str:
    with agents.lead.override(model=_lead(requests)), agents.researcher.override(model=_researcher(requests)):
        return asyncio.run(agents.answer("Why do agent pipelines need budgets?"))


def test_sub_agent_requests_escape_the_request_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    case = fixture_case(RULE, "bad-research-tool")
    assert [(code, path) for code, path, _ in findings(case)] == [("AGL306", "app/agents.py")]

    monkeypatch.setenv("OPENAI_API_KEY", "offline-test-key")
    requests: Counter[str] = Counter()
    with imported(case, "app.agents") as (agents,):
        limit = agents.LIMITS.request_limit
        assert _answer(agents, requests) == "Agents need budgets."
    # The run completed although it made more requests than its limit: the lead counted only its own.
    assert requests == {"lead": 2, "researcher": QUESTIONS}
    assert sum(requests.values()) > limit


def test_shared_usage_keeps_sub_agents_within_the_request_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    case = fixture_case(RULE, "ok-shared-usage")
    assert findings(case) == []

    monkeypatch.setenv("OPENAI_API_KEY", "offline-test-key")
    requests: Counter[str] = Counter()
    with imported(case, "app.agents") as (agents,):
        limit = agents.LIMITS.request_limit
        with pytest.raises(UsageLimitExceeded):
            _answer(agents, requests)
    # The sub-agent's requests counted against the lead's budget: the lead's next request was refused.
    assert requests == {"lead": 1, "researcher": QUESTIONS}
    assert sum(requests.values()) == limit
