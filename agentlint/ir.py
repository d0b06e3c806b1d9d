"""The pipeline IR: what per-file extraction records and assembly links.

Everything here is a pydantic model so a fragment can be cached by content hash and shipped between
processes. Identities (``id`` fields) are human-readable qualified names rather than counters: users
name them in suppressions, baselines and contracts, and fingerprints hash them, so they must survive
edits elsewhere in the file.
"""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict

from agentlint.findings import Location


class BoundStatus(str, enum.Enum):
    BOUNDED = "bounded"
    UNBOUNDED = "unbounded"
    UNKNOWN = "unknown"


class Provenance(str, enum.Enum):
    """Where a bound (or the lack of one) comes from; rules report only what the site itself decides."""

    EXPLICIT = "explicit"  # written at this site (``timeout=30`` or ``timeout=None``)
    INHERITED = "inherited"  # from the client/session the call goes through
    WRAPPER = "wrapper"  # an enclosing ``asyncio.timeout``/``wait_for``/``anyio.fail_after``
    DEFAULT = "default"  # the library's default, bounded or not
    UNKNOWN = "unknown"  # a value agentlint could not resolve statically


class Bound(BaseModel):
    """A resolved limit (seconds, turns, workers...) with its provenance, so a message can say why."""

    model_config = ConfigDict(frozen=True)

    status: BoundStatus
    provenance: Provenance
    detail: str
    value: float | None = None
    source: Location | None = None

    @classmethod
    def unknown(cls, detail: str) -> Bound:
        return cls(status=BoundStatus.UNKNOWN, provenance=Provenance.UNKNOWN, detail=detail)


class CallKind(str, enum.Enum):
    HTTP = "http"
    LLM = "llm"


class Client(BaseModel):
    """An object whose constructor fixes a limit its calls inherit (an HTTP session, an LLM client)."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: str  # canonical constructor, e.g. ``httpx.AsyncClient``
    category: CallKind
    location: Location
    timeout: Bound
    has_timeout_setting: bool = True  # False for requests sessions: each call must bring its own


class Call(BaseModel):
    """A call that can block: the site, what it calls, and the time bound that applies to it."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: CallKind
    target: str  # canonical callee, e.g. ``requests.Session.get``
    scope: str  # qualified name of the enclosing function (or the module)
    location: Location
    timeout: Bound
    client: str | None = None


class Fragment(BaseModel):
    """Everything one file contributes to the pipeline graph."""

    model_config = ConfigDict(frozen=True)

    path: str
    module: str
    clients: tuple[Client, ...] = ()
    calls: tuple[Call, ...] = ()
    socket_default_timeout: Location | None = None  # ``socket.setdefaulttimeout(N)`` seen in this file
