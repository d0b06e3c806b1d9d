"""What the timeout rules share: which clients and calls of a category can wait forever, decided the
same way for HTTP and LLM calls so the two rules never disagree about a bound."""

from collections.abc import Iterator

from agentlint.graph import PipelineGraph
from agentlint.ir import Bound, BoundStatus, Call, CallKind, Client, Provenance


def unbounded_clients(graph: PipelineGraph, category: CallKind) -> Iterator[tuple[Client, list[Call]]]:
    """Clients constructed without a bound, with the calls that inherit that. A client whose every
    visible call sets its own bound (or runs under an asyncio timeout) is left alone."""
    for client in graph.clients:
        if (client.category is not category or not client.has_timeout_setting
                or client.timeout.status is not BoundStatus.UNBOUNDED):
            continue
        users = sorted(graph.calls_through(client), key=lambda c: (c.location.start.row, c.location.start.column))
        inheriting = [call for call in users if call.timeout.provenance is Provenance.INHERITED]
        if inheriting or not users:
            yield client, inheriting


def unbounded_calls(graph: PipelineGraph, category: CallKind, *, socket_default: bool = False) -> Iterator[Call]:
    """Calls that decide for themselves to wait forever: an explicit ``None``, or a library whose
    default is unbounded. Calls that inherit an unbounded client are reported with the client."""
    for call in graph.calls(category):
        bound = call.timeout
        if bound.status is not BoundStatus.UNBOUNDED:
            continue
        if bound.provenance is Provenance.EXPLICIT or (bound.provenance is Provenance.DEFAULT and not socket_default):
            yield call


def primary(bound: Bound, fallback_location):  # type: ignore[no-untyped-def]
    """Point at the argument that disabled the limit when there is one, else at the call."""
    return bound.source if bound.provenance is Provenance.EXPLICIT and bound.source else fallback_location
