"""What the AutoGen extractors (AgentChat 0.4+ and legacy 0.2 / AG2) share: framework defaults as
bounds, and the runs of teams and agents as ``RunSite`` + ``Call``."""

from __future__ import annotations

from agentlint.ir import Bound, BoundStatus, Call, CallKind, Provenance, RunSite
from agentlint.python.bounds import wrapper_bound
from agentlint.python.collector import CallSite
from agentlint.python.context import ExtractionContext

FRAMEWORK = "autogen"


def default(value: float | None, detail: str) -> Bound:
    status = BoundStatus.UNBOUNDED if value is None else BoundStatus.BOUNDED
    return Bound(status=status, provenance=Provenance.DEFAULT, detail=detail, value=value)


def record_run(ctx: ExtractionContext, site: CallSite, target: str, callee: str,
               limits: dict[str, Bound] | None = None) -> tuple[RunSite, Call]:
    """A run of a team or agent: the run site, and the run as model work (``CallKind.AGENT``) whose own
    time bound is an enclosing ``asyncio.timeout``/``wait_for``, if any: AutoGen's runs take none."""
    method = callee.rsplit(".", 1)[-1]
    location = ctx.locate(site.node)
    timeout = wrapper_bound(ctx, site) or Bound(
        status=BoundStatus.UNBOUNDED, provenance=Provenance.DEFAULT, detail=f"AutoGen's `{method}` takes no timeout")
    run_id = f"{site.scope.qualname}->{target}.{method}"
    return (RunSite(id=run_id, target=target, method=method, location=location, limits=limits or {},
                    framework=FRAMEWORK),
            Call(id=run_id, kind=CallKind.AGENT, target=callee, scope=site.scope.qualname, location=location,
                 timeout=timeout))

