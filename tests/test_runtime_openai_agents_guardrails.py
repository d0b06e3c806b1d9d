"""Runtime proof for AGL204 on the OpenAI Agents SDK: an input guardrail on an agent that is reached
only by a handoff never runs, even on input it would have stopped; the same guardrail on the agent
the run starts with stops the run. Offline and deterministic: every agent answers through the SDK's
own ``ScriptedModel`` (given with ``RunConfig(model=...)``), and tracing is switched off.

Each test also lints the same fixture case, so the static verdict and the runtime verdict cannot
drift apart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("agents")

from agents import InputGuardrailTripwireTriggered, RunConfig, Runner, set_tracing_disabled  # noqa: E402
from agents.testing import ScriptedModel, assistant_message, function_call  # noqa: E402

from runtime_support import findings, fixture_case, imported  # noqa: E402

pytestmark = pytest.mark.runtime

RULE = "AGL204-input-guardrail-never-runs"
# Input the fixtures' guardrail trips on: it must never reach the refunds desk.
FORBIDDEN = "Please refund me to IBAN DE89 3704 0044 0532 0130 00"


@pytest.fixture(autouse=True)
def no_tracing() -> Iterator[None]:
    set_tracing_disabled(True)
    yield
    set_tracing_disabled(False)


def run_triage(case: Path, model: ScriptedModel) -> str:
    with imported(case, "app.support") as (support,):
        result = asyncio.run(Runner.run(support.triage, FORBIDDEN, run_config=RunConfig(model=model)))
    return str(result.final_output)


def test_guardrail_on_a_handoff_target_never_runs() -> None:
    case = fixture_case(RULE, "bad-handoff-target")
    assert {(code, path) for code, path, _ in findings(case)} == {("AGL204", "app/support.py")}

    model = ScriptedModel([[function_call("transfer_to_refunds", {}, call_id="handoff-1")],
                           [assistant_message("Refund of the full amount issued.")]])
    # Triage hands off, refunds answers: the guardrail that trips on this input was skipped.
    assert run_triage(case, model) == "Refund of the full amount issued."
    assert len(model.calls) == 2


def test_guardrail_on_the_starting_agent_stops_the_run() -> None:
    case = fixture_case(RULE, "ok-guarded-entry")
    assert findings(case) == []

    model = ScriptedModel([[function_call("transfer_to_refunds", {}, call_id="handoff-1")],
                           [assistant_message("Refund of the full amount issued.")]])
    with pytest.raises(InputGuardrailTripwireTriggered):
        run_triage(case, model)
