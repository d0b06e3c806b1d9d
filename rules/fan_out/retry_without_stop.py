from collections.abc import Iterator

from agentlint.findings import Finding, Severity
from agentlint.graph import PipelineGraph
from agentlint.ir import BoundStatus, Retry
from agentlint.rule import GraphRule


class RetryWithoutStop(GraphRule):
    """
    ## What it does
    Reports a tenacity retry (`@retry`, `Retrying`, `AsyncRetrying`) without a `stop=` condition or with
    `stop=stop_never`, and a `backoff.on_exception`/`on_predicate` without `max_tries` or `max_time`.
    A combined tenacity stop is bounded when `a | b` has a bounded side, and `a & b` only when both are.

    ## Why is this bad?
    Both libraries retry forever by default. Around a model or tool call, a permanent failure (a
    revoked key, a prompt the provider always rejects, a tool that is down) turns into an endless loop
    of paid calls, and each attempt is itself multiplied by the SDK's own retries.

    ## Example
    ```python
    from openai import OpenAI
    from tenacity import retry, wait_exponential

    client = OpenAI(timeout=60)


    @retry(wait=wait_exponential(max=30))
    def plan(task: str) -> str:
        return client.responses.create(model="gpt-4o-mini", input=task).output_text
    ```

    Use instead:
    ```python
    from openai import OpenAI
    from tenacity import retry, stop_after_attempt, stop_after_delay, wait_exponential

    client = OpenAI(timeout=60, max_retries=0)


    @retry(stop=stop_after_attempt(4) | stop_after_delay(120), wait=wait_exponential(max=30))
    def plan(task: str) -> str:
        return client.responses.create(model="gpt-4o-mini", input=task).output_text
    ```

    ## Known problems
    A `stop` built by a helper function or read from elsewhere is not resolved, and the rule stays quiet.
    Other retry libraries are not known yet.
    """

    code = "AGL302"
    name = "retry-without-stop"
    summary = "retry loop with no stop condition"
    severity = Severity.WARNING

    def check(self, graph: PipelineGraph) -> Iterator[Finding]:
        retry: Retry
        for retry in graph.facts_of("retries"):
            if retry.stop.status is not BoundStatus.UNBOUNDED:
                continue
            around = f" around `{retry.target.rsplit('.', 1)[-1]}`" if retry.target else ""
            yield self.finding(
                retry.location,
                f"`{retry.mechanism}`{around} never gives up: {retry.stop.detail}",
                fix_title="Add a stop, e.g. `stop=stop_after_attempt(4) | stop_after_delay(120)` "
                          "(backoff: `max_tries=`/`max_time=`)",
                anchor=retry.id,
            )
