"""Runtime proof for AGL506 on the OpenAI Agents SDK: `max_turns=None` lets a model that never finishes
run on, while the SDK's default stops it after 10 turns. Offline and deterministic: the fixture's agent
gets the SDK's own ``ScriptedModel``, scripted to answer every turn with a tool call, so the agent
never produces a final output; tracing is switched off so nothing is exported.

The unbounded run is stopped by the test, not by the SDK: the script holds ``TEST_TURN_CAP`` tool
calls, and the model raises ``UnexpectedModelCall`` when asked for one more. Each test also lints the
same fixture case, so the static verdict and the runtime verdict cannot drift apart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("agents")

from agents import MaxTurnsExceeded, set_tracing_disabled  # noqa: E402
from agents.testing import ScriptedModel, UnexpectedModelCall, function_call  # noqa: E402

from runtime_support import findings, fixture_case, imported  # noqa: E402

pytestmark = pytest.mark.runtime

RULE = "AGL506-turn-limit-disabled"
SDK_DEFAULT_MAX_TURNS = 10
TEST_TURN_CAP = 30  # stands in for "forever": three times the default, and still instant


@pytest.fixture(autouse=True)
def no_tracing() -> Iterator[None]:
    set_tracing_disabled(True)
    yield
    set_tracing_disabled(False)


def searches_forever() -> ScriptedModel:
    """A model that calls the fixture's `search` tool on every turn, ``TEST_TURN_CAP`` times, and then
    fails the next request: it never gives a final answer by itself."""
    return ScriptedModel([[function_call("search", {"query": f"angle {turn}"}, call_id=f"call-{turn}")]
                          for turn in range(TEST_TURN_CAP)])


def run_research(case: Path, model: ScriptedModel) -> None:
    with imported(case, "app.research") as (research,):
        asyncio.run(research.research("Why do agent pipelines hang?", model))


def test_disabled_turn_limit_runs_past_the_default() -> None:
    case = fixture_case(RULE, "bad-agents-sdk-no-turn-limit")
    assert [(code, path) for code, path, _ in findings(case)] == [("AGL506", "app/research.py")]

    model = searches_forever()
    with pytest.raises(UnexpectedModelCall):
        run_research(case, model)
    # Nothing in the SDK stopped it: every scripted turn ran, and it asked for more.
    assert len(model.calls) == TEST_TURN_CAP + 1 > SDK_DEFAULT_MAX_TURNS


def test_default_turn_limit_stops_the_run() -> None:
    case = fixture_case(RULE, "ok-agents-sdk-default-turns")
    assert findings(case) == []

    model = searches_forever()
    with pytest.raises(MaxTurnsExceeded):
        run_research(case, model)
    assert len(model.calls) == SDK_DEFAULT_MAX_TURNS
    assert model.remaining_steps == TEST_TURN_CAP - SDK_DEFAULT_MAX_TURNS
