from collections.abc import Iterator

from agentlint.findings import Finding, RelatedLocation, Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import Flow, FlowMethod, StateWrite
from agentlint.rule import GraphRule

Write = tuple[FlowMethod, StateWrite]


class ConcurrentFlowStateWrite(GraphRule):
    """
    ## What it does
    Reports a field of a CrewAI `Flow`'s `self.state` that two or more listeners of the same event
    (`@listen(x)`, `@listen("label")`, or an alternative of `@listen(or_(...))`) write with no lock
    held, when one of the writes replaces the value, or when two read-modify-writes (`+=`) can
    interleave because a listener runs in a thread or awaits mid-update.

    ## Why is this bad?
    CrewAI runs every listener of an event at the same time (`asyncio.gather`, synchronous methods in
    worker threads), and `self.state` has no lock. When two agents' listeners both set
    `self.state["findings"]`, whichever finishes last silently discards the other's result, and which
    one that is changes from run to run; two `+=` in threads can lose an increment.

    ## Example
    ```python
    from crewai.flow.flow import Flow, listen, start


    class ResearchFlow(Flow):
        @start()
        def plan(self):
            return "agent reliability"

        @listen(plan)
        def search_web(self, topic):
            self.state["findings"] = f"web results on {topic}"

        @listen(plan)
        def search_papers(self, topic):
            self.state["findings"] = f"papers on {topic}"
    ```

    Use instead:
    ```python
    from crewai.flow.flow import Flow, and_, listen, start


    class ResearchFlow(Flow):
        @start()
        def plan(self):
            return "agent reliability"

        @listen(plan)
        def search_web(self, topic):
            self.state["web"] = f"web results on {topic}"

        @listen(plan)
        def search_papers(self, topic):
            self.state["papers"] = f"papers on {topic}"

        @listen(and_(search_web, search_papers))
        def merge(self):
            self.state["findings"] = [self.state["web"], self.state["papers"]]
    ```

    ## Known problems
    Only writes made directly in a listener's body through `self.state` are seen: not through an
    alias (`state = self.state`), a helper method or `setattr`. In-place changes alone (`.append`,
    `.update`, item assignment) are not reported: they are atomic under the GIL and merge like a
    reducer. A listener of `and_(...)` is not considered concurrent with anything, since it runs
    after whichever of its events comes last, and neither are the methods the concurrent listeners
    trigger in turn, nor several `@start()` methods. A `with` block on anything named like a lock
    counts as a lock; listeners that race for an `or_` (the first to finish cancels the others) are
    not reported when they are all `async`.
    """

    code = "AGL402"
    name = "concurrent-flow-state-write"
    summary = "flow state field written by concurrent listeners without a lock"
    severity = Severity.WARNING

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        for flow in graph.flows:
            listeners = [method for method in flow.methods if method.kind == "listen"]
            racing = _racing_groups(listeners)
            reported: set[str] = set()
            for event in sorted({trigger for method in listeners for trigger in method.triggers}):
                group = [method for method in listeners if event in method.triggers]
                by_field: dict[str, list[Write]] = {}
                for method in group:
                    for write in method.state_writes:
                        by_field.setdefault(write.field, []).append((method, write))
                for name, writes in sorted(by_field.items()):
                    if name in reported or not _unguarded_conflict(writes, racing):
                        continue
                    reported.add(name)
                    yield self._finding(flow, event, name, writes)

    def _finding(self, flow: Flow, event: str, name: str, writes: list[Write]) -> Finding:
        writers = sorted({method.name for method, _ in writes})
        replaced = any(write.kind == "assign" for _, write in writes)
        outcome = "the last write wins" if replaced else "one read-modify-write can undo the other"
        first = min(writes, key=lambda item: (item[1].location.start.row, item[1].location.start.column))
        return self.finding(
            first[1].location,
            f"state field `{name}` of flow `{flow.id.rsplit('.', 1)[-1]}` is written by {_names(writers)}, "
            f"which CrewAI runs concurrently after "
            f"`{event}`, with no lock: {outcome}",
            related=[RelatedLocation(location=write.location, message=f"`{method.name}` writes `{name}`")
                     for method, write in writes if write is not first[1]],
            fix_title=f"Write `{name}` from one listener (merge in an `and_(...)` listener), or hold a lock",
            anchor=f"{flow.id}:{event}:{name}",
        )


def _names(names: list[str]) -> str:
    quoted = [f"`{name}`" for name in names]
    return f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def _unguarded_conflict(writes: list[Write], racing: list[frozenset[str]]) -> bool:
    writers = {method.name for method, _ in writes}
    if len(writers) < 2 or any(write.locked for _, write in writes):
        return False
    if any(writers <= group for group in racing) and all(method.asynchronous for method, _ in writes):
        return False
    if any(write.kind == "assign" for _, write in writes):
        constants = {write.constant for _, write in writes}
        same_value = all(write.kind == "assign" for _, write in writes) and len(constants) == 1 and None not in constants
        return not same_value
    updaters = {method.name for method, write in writes if write.kind == "update"}
    interleave = any(write.kind == "update" and (not method.asynchronous or write.awaits) for method, write in writes)
    return len(updaters) >= 2 and interleave


def _racing_groups(listeners: list[FlowMethod]) -> list[frozenset[str]]:
    """Listeners that race as CrewAI's ``_build_racing_groups`` finds them: the events of one
    ``or_`` listener that feed no other listener."""
    by_event: dict[str, set[str]] = {}
    for method in listeners:
        for event in method.events:
            by_event.setdefault(event, set()).add(method.name)
    groups = []
    for method in listeners:
        if len(method.triggers) > 1:
            exclusive = frozenset(event for event in method.triggers if by_event.get(event) == {method.name})
            if len(exclusive) > 1:
                groups.append(exclusive)
    return groups
