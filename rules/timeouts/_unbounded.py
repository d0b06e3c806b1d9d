"""What the timeout rules share: which clients and calls of a category can wait forever, decided the
same way for HTTP, LLM and MCP calls so the rules never disagree about a bound, and reported the same
way: once at the client's constructor (calls that inherit it as related), once per call that opts out."""

from collections.abc import Iterator

from agentlint.findings import Finding, Location, RelatedLocation
from agentlint.graph import PipelineGraph
from agentlint.ir import Bound, BoundStatus, Call, CallKind, Client, Provenance
from agentlint.rule import GraphRule


class TimeoutRule(GraphRule):
    """A rule about one category of blocking calls; subclasses say which, and how to fix each site."""

    category: CallKind

    def client_message(self, client: Client) -> str:
        return f"`{client.kind}` client `{client.id}` has no timeout: {client.timeout.detail}"

    def client_fix(self, client: Client) -> str:
        raise NotImplementedError

    def call_fix(self, call: Call) -> str:
        raise NotImplementedError

    def unbounded_calls(self, graph: PipelineGraph) -> Iterator[Call]:
        return unbounded_calls(graph, self.category)

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        for client, users in unbounded_clients(graph, self.category):
            yield self.finding(
                primary(client.timeout, client.location),
                self.client_message(client),
                related=[RelatedLocation(location=call.location, message=f"`{call.target}` waits on it")
                         for call in users],
                fix_title=self.client_fix(client),
                anchor=client.id,
            )
        for call in self.unbounded_calls(graph):
            yield self.finding(
                primary(call.timeout, call.location),
                f"`{call.target}` can wait forever: {call.timeout.detail}",
                fix_title=self.call_fix(call),
                anchor=call.id,
            )


def unbounded_clients(graph: PipelineGraph, category: CallKind) -> Iterator[tuple[Client, list[Call]]]:
    """Clients constructed without a bound, with the calls that inherit that. A client whose every
    visible call sets its own bound (or runs under an asyncio timeout, or in a LangGraph node with a
    deadline) is left alone."""
    for client in graph.clients:
        if (client.category is not category or not client.has_timeout_setting
                or client.timeout.status is not BoundStatus.UNBOUNDED):
            continue
        users = sorted(graph.calls_through(client), key=lambda c: (c.location.path, c.location.start.row,
                                                                   c.location.start.column))
        inheriting = [call for call in users if call.timeout.provenance is Provenance.INHERITED
                      and graph.node_deadline(call.scope) is None]
        implicit = client.timeout.provenance is Provenance.DEFAULT
        if inheriting or (not users and not (implicit and client.other_uses)):
            yield client, inheriting


def unbounded_calls(graph: PipelineGraph, category: CallKind, *, socket_default: bool = False) -> Iterator[Call]:
    """Calls that decide for themselves to wait forever: an explicit ``None``, or a library whose
    default is unbounded, unless LangGraph cancels the node they run in. Calls that inherit an
    unbounded client are reported with the client."""
    for call in graph.calls(category):
        bound = call.timeout
        if bound.status is not BoundStatus.UNBOUNDED or graph.node_deadline(call.scope) is not None:
            continue
        if bound.provenance is Provenance.EXPLICIT or (bound.provenance is Provenance.DEFAULT and not socket_default):
            yield call


def primary(bound: Bound, fallback: Location) -> Location:
    """Point at the argument that disabled the limit when there is one, else at the call."""
    return bound.source if bound.provenance is Provenance.EXPLICIT and bound.source else fallback


