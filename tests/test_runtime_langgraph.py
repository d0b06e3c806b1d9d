"""Runtime proof for the LangGraph rules: the fixture agentlint flags fails on the real framework, and
its well-guarded twin runs to completion. Offline and deterministic: the fixtures build their model
with ``langchain_openai.ChatOpenAI``, which is replaced by a stub module, and the module-global
``model`` the nodes call is then swapped for LangChain's ``FakeListChatModel``.

Each test also lints the same two fixture cases, so the static verdict and the runtime verdict cannot
drift apart: if a rule stops firing on the bad fixture, or the framework stops failing, a test fails.
"""

from __future__ import annotations

from types import ModuleType

import pytest

pytest.importorskip("langgraph")
pytest.importorskip("langchain_core")

from langchain_core.language_models.fake_chat_models import FakeListChatModel  # noqa: E402
from langgraph.errors import GraphRecursionError, InvalidUpdateError  # noqa: E402

from runtime_support import findings, fixture_case, imported  # noqa: E402

pytestmark = pytest.mark.runtime

REDUCER_RULE = "AGL401-parallel-write-without-reducer"
CYCLE_RULE = "AGL501-unbounded-graph-cycle"
TEST_RECURSION_LIMIT = 12  # stands in for LangGraph's default of 10007, which would only take longer


def provider_stub(constructed: list[dict]) -> ModuleType:
    """A ``langchain_openai`` stand-in: records what the fixture passes to ``ChatOpenAI(...)`` and
    returns a fake model, so importing the fixture never needs the package, a key or the network."""
    stub = ModuleType("langchain_openai")

    def chat_openai(**kwargs: object) -> FakeListChatModel:
        constructed.append(kwargs)
        return FakeListChatModel(responses=["(the test replaces this model)"])

    stub.ChatOpenAI = chat_openai  # type: ignore[attr-defined]
    return stub


class CountingFakeModel(FakeListChatModel):
    """Answers with ``responses`` in turn, cycling, and counts how often it was called."""

    calls: int = 0

    def _call(self, *args: object, **kwargs: object) -> str:
        self.calls += 1
        return super()._call(*args, **kwargs)  # type: ignore[arg-type]


def fake_model(*responses: str) -> CountingFakeModel:
    return CountingFakeModel(responses=list(responses))


# AGL401: two parallel writers of a key without a reducer --------------------------------------------------


def test_parallel_write_without_reducer_raises_invalid_update(monkeypatch: pytest.MonkeyPatch) -> None:
    case = fixture_case(REDUCER_RULE, "bad-parallel-researchers")
    assert [(code, path) for code, path, _ in findings(case)] == [("AGL401", "app/state.py")]

    constructed: list[dict] = []
    with imported(case, "app.graph", "app.nodes", stubs={"langchain_openai": provider_stub(constructed)}) as (
        graph, nodes,
    ):
        assert constructed and constructed[0]["timeout"] == 30  # the fixture's model is bounded: no AGL102
        monkeypatch.setattr(nodes, "model", fake_model("LLM agents need timeouts."))
        with pytest.raises(InvalidUpdateError) as raised:
            graph.answer("Why do agent pipelines hang?")
    message = str(raised.value)
    assert "findings" in message
    assert "INVALID_CONCURRENT_GRAPH_UPDATE" in message


def test_parallel_write_with_reducer_completes(monkeypatch: pytest.MonkeyPatch) -> None:
    case = fixture_case(REDUCER_RULE, "ok-parallel-researchers")
    assert findings(case) == []

    with imported(case, "app.graph", "app.nodes", stubs={"langchain_openai": provider_stub([])}) as (graph, nodes):
        monkeypatch.setattr(nodes, "model", fake_model("LLM agents need timeouts."))
        final = graph.graph.invoke({"question": "Why do agent pipelines hang?", "findings": []})
    assert sorted(final["findings"]) == ["papers: LLM agents need timeouts.", "web: LLM agents need timeouts."]
    assert final["report"] == "LLM agents need timeouts."
    assert len(final["messages"]) == 2  # `add_messages` merged both researchers' messages as well


# AGL501: a loop only the model can end, run without a recursion limit ------------------------------------


def _article_input(topic: str) -> dict:
    from langchain_core.messages import HumanMessage

    return {"topic": topic, "messages": [HumanMessage(f"Write a 500-word article about {topic}.")]}


def test_model_decided_cycle_only_stops_at_the_recursion_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    case = fixture_case(CYCLE_RULE, "bad-review-loop")
    assert [(code, path) for code, path, _ in findings(case)] == [("AGL501", "app/graph.py")]

    with imported(case, "app.graph", "app.agents", stubs={"langchain_openai": provider_stub([])}) as (
        graph, agents,
    ):
        # The reviewer never approves: nothing but the recursion limit ends the run.
        never_approves = fake_model("Here is the revised draft.", "Tighten the introduction and add an example.")
        monkeypatch.setattr(agents, "model", never_approves)
        with pytest.raises(GraphRecursionError):
            graph.graph.invoke(_article_input("agent timeouts"), {"recursion_limit": TEST_RECURSION_LIMIT})
        # One model call per superstep: writer and reviewer took turns until the limit stopped them.
        assert never_approves.calls == TEST_RECURSION_LIMIT

        # The loop does have an exit, but only the model can take it.
        approves = fake_model("Here is the draft.", "APPROVED")
        monkeypatch.setattr(agents, "model", approves)
        assert graph.write_article("agent timeouts") == "Here is the draft."


def test_counted_cycle_ends_by_itself_within_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    case = fixture_case(CYCLE_RULE, "ok-review-loop")
    assert findings(case) == []

    with imported(case, "app.graph", "app.agents", stubs={"langchain_openai": provider_stub([])}) as (
        graph, agents,
    ):
        never_approves = fake_model("Here is the revised draft.", "Tighten the introduction and add an example.")
        monkeypatch.setattr(agents, "model", never_approves)
        final = graph.graph.invoke(_article_input("agent timeouts"), {"recursion_limit": TEST_RECURSION_LIMIT})
        assert final["revisions"] == agents.MAX_REVISIONS
        # And with no run config at all, as the fixture itself runs it: the counter ends the loop.
        assert graph.write_article("agent timeouts") == "Here is the revised draft."
