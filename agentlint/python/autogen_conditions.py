"""AutoGen AgentChat's termination algebra, shared by teams built in code and declarative JSON teams.

Facts checked against autogen-agentchat 0.7.5 (``conditions/_terminations.py``, ``base/_termination.py``):
``a | b`` (``OrTerminationCondition``) stops when any side fires, ``a & b`` (``AndTerminationCondition``)
only once every side has fired. A condition either bounds the run from outside the agents (a message
count, a clock, a token budget, an ``ExternalTermination`` that some code ``.set()``s) or fires on what
an agent says or does (a word, a stop message, a handoff, a function call), which a model may never do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agentlint.findings import Location
from agentlint.ir import Bound, BoundStatus, Provenance

CONDITIONS = "autogen_agentchat.conditions"
AND, OR = "autogen_agentchat.base.AndTerminationCondition", "autogen_agentchat.base.OrTerminationCondition"
BOUNDING = ("MaxMessageTermination", "TimeoutTermination", "TokenUsageTermination", "ExternalTermination")
SELF_DECIDED = ("TextMentionTermination", "StopMessageTermination", "TextMessageTermination",
                "FunctionCallTermination", "HandoffTermination", "SourceMatchTermination", "FunctionalTermination")
# A ``TokenUsageTermination`` bounds only with one of these given (with none it refuses to construct).
TOKEN_LIMITS = ("max_total_token", "max_prompt_token", "max_completion_token")

EXTERNAL, SELF, NEVER, UNKNOWN = "external", "self", "never", "unknown"


@dataclass(frozen=True)
class Verdict:
    """How a condition (tree) can fire: ``EXTERNAL`` (something outside the agents ends the run),
    ``SELF`` (only the agents' own messages can), ``NEVER`` (nothing can), ``UNKNOWN``. ``names`` are
    the conditions that decide it, for messages."""

    kind: str
    names: tuple[str, ...] = ()
    detail: str = ""  # for ``UNKNOWN`` and ``NEVER``: why


def leaf(name: str, *, bounding: bool | None = True) -> Verdict:
    """A single condition class by its short name; ``bounding`` is False for an ``ExternalTermination``
    nobody sets, ``None`` when its limit cannot be read."""
    if name in SELF_DECIDED:
        return Verdict(SELF, (name,))
    if name not in BOUNDING or bounding is None:
        return Verdict(UNKNOWN, (name,), f"`{name}` could not be read")
    if not bounding:
        return Verdict(NEVER, (name,), f"`{name}` is never `.set()` in this module")
    return Verdict(EXTERNAL, (name,))


def either(parts: Sequence[Verdict]) -> Verdict:
    """``a | b``: stops when any side fires."""
    return _decided_by(parts, (EXTERNAL, UNKNOWN, SELF), NEVER)


def every(parts: Sequence[Verdict]) -> Verdict:
    """``a & b``: stops only once every side has fired, so one self-decided side decides it all."""
    return _decided_by(parts, (NEVER, SELF, UNKNOWN), EXTERNAL)


def _decided_by(parts: Sequence[Verdict], precedence: tuple[str, ...], otherwise: str) -> Verdict:
    """The first kind in ``precedence`` that some part has decides the combination."""
    for kind in precedence:
        chosen = [part for part in parts if part.kind == kind]
        if chosen:
            return _merged(kind, chosen)
    return _merged(otherwise, list(parts))


def _merged(kind: str, parts: list[Verdict]) -> Verdict:
    names = tuple(dict.fromkeys(name for part in parts for name in part.names))
    detail = "; ".join(dict.fromkeys(part.detail for part in parts if part.detail))
    return Verdict(kind, names, detail)


def _listed(names: tuple[str, ...]) -> str:
    return " or ".join(f"`{name}`" for name in names)


def with_people(condition: Bound, person: str | None) -> Bound:
    """A team with a person among its participants (a ``UserProxyAgent``) waits on them every round,
    and they decide whether the work is done: a handshake, whatever the condition says."""
    if person is None or condition.status is BoundStatus.BOUNDED:
        return condition
    return Bound(status=BoundStatus.BOUNDED, provenance=Provenance.DEFAULT, source=condition.source,
                 detail=f"a person (`{person}`, a `UserProxyAgent`) takes part in every round")


def condition_bound(verdict: Verdict | None, source: Location | None) -> Bound:
    """The ``termination_condition`` limit of a team (see ``Team`` in ``agentlint.ir``)."""
    if verdict is None:
        return Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT,
                     detail="no termination condition", source=source)
    if verdict.kind == EXTERNAL:
        return Bound(status=BoundStatus.BOUNDED, provenance=Provenance.EXPLICIT,
                     detail=f"ends by {_listed(verdict.names)}", source=source)
    if verdict.kind == SELF:
        return Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.EXPLICIT,
                     detail=f"ends only when {_listed(verdict.names)} fires, which the agents decide", source=source)
    if verdict.kind == NEVER:
        return Bound(status=BoundStatus.UNBOUNDED, provenance=Provenance.EXPLICIT,
                     detail=f"can never end: {verdict.detail}", source=source)
    return Bound(status=BoundStatus.UNKNOWN, provenance=Provenance.UNKNOWN, detail=verdict.detail or
                 "the termination condition could not be read", source=source)
