"""The assembled pipeline graph that rules read.

Fragments stay the source of truth for facts; the networkx graph holds the relations between them
(a call goes through a client), which is what rules and ``agentlint graph`` traverse.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import networkx as nx

from agentlint.findings import Location
from agentlint.ir import Call, CallKind, Client, Fragment


class PipelineGraph:
    def __init__(self, fragments: Iterable[Fragment]) -> None:
        self.fragments = sorted(fragments, key=lambda fragment: fragment.path)
        self.relations = nx.MultiDiGraph()
        for fragment in self.fragments:
            for client in fragment.clients:
                self.relations.add_node(("client", fragment.path, client.id), fact=client)
            for call in fragment.calls:
                node = ("call", fragment.path, call.id, call.location.start.row, call.location.start.column)
                self.relations.add_node(node, fact=call)
                if call.client is not None:
                    self.relations.add_edge(node, ("client", fragment.path, call.client), relation="via")

    @property
    def clients(self) -> Iterator[Client]:
        for fragment in self.fragments:
            yield from fragment.clients

    def calls(self, kind: CallKind | None = None) -> Iterator[Call]:
        for fragment in self.fragments:
            yield from (call for call in fragment.calls if kind is None or call.kind is kind)

    def calls_through(self, client: Client) -> list[Call]:
        node = ("client", client.location.path, client.id)
        if node not in self.relations:
            return []
        return [self.relations.nodes[caller]["fact"] for caller, _ in self.relations.in_edges(node)]

    @property
    def socket_default_timeouts(self) -> list[Location]:
        return [fragment.socket_default_timeout for fragment in self.fragments if fragment.socket_default_timeout]
