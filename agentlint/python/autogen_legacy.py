"""Legacy AutoGen 0.2 and its AG2 fork (``import autogen``, not ``autogen_agentchat``): group chats,
conversable agents and ``initiate_chat`` runs.

Facts from ``shared/frameworks.md`` section 3 (branch ``0.2`` at ``c631b34e2``, version 0.2.40):
``GroupChat(agents, messages, max_round=10)``; ``ConversableAgent``, ``AssistantAgent`` and
``UserProxyAgent`` take ``max_consecutive_auto_reply=None``, which means ``MAX_CONSECUTIVE_AUTO_REPLY``
(100); ``initiate_chat(recipient, ..., max_turns=None)`` leaves the chat to the auto-reply counters.
"""

from __future__ import annotations

import libcst as cst

from agentlint.ir import Agent, BoundStatus, Team
from agentlint.python.adapter import FrameworkFacts
from agentlint.python.autogen_support import FRAMEWORK, default, record_run
from agentlint.python.bounds import Given, find_argument, given_limit, literal_string, numeric_limit, opaque_kwargs
from agentlint.python.collector import CallSite
from agentlint.python.context import ExtractionContext
from agentlint.python.identities import object_id
from agentlint.python.expressions import list_elements
from agentlint.python.scopes import Scope
from agentlint.python.values import Instance

AGENTS = {"ConversableAgent": "conversable_agent", "AssistantAgent": "assistant_agent",
          "UserProxyAgent": "user_proxy_agent"}
AGENT_KINDS = frozenset(f"autogen.{name}" for name in AGENTS)
GROUP_CHAT, MANAGER = "autogen.GroupChat", "autogen.GroupChatManager"
CANONICAL = {
    **{f"autogen.agentchat.{name}": f"autogen.{name}" for name in (*AGENTS, "GroupChat", "GroupChatManager")},
    **{f"autogen.agentchat.{module}.{name}": f"autogen.{name}" for name, module in AGENTS.items()},
    "autogen.agentchat.groupchat.GroupChat": GROUP_CHAT,
    "autogen.agentchat.groupchat.GroupChatManager": MANAGER,
}
RUN_METHODS = frozenset({"initiate_chat", "a_initiate_chat"})
AUTO_REPLIES = default(100, "AutoGen's default of 100 automatic replies in a row")
ROUNDS = default(10, "AutoGen's default of 10 rounds")


def extract(ctx: ExtractionContext) -> FrameworkFacts:
    facts = FrameworkFacts()
    ids: dict[int, str] = {}
    kinds: dict[int, str] = {}
    for site in ctx.facts.calls:
        kind = ctx.evaluator.callee(site.node, site.scope)
        if kind in AGENT_KINDS or kind in (GROUP_CHAT, MANAGER):
            ids[id(site.node)] = object_id(ctx, site, kind.rsplit(".", 1)[1])
            kinds[id(site.node)] = kind
    for site in ctx.facts.calls:
        kind = kinds.get(id(site.node))
        if kind in AGENT_KINDS:
            facts.agents.append(_agent(ctx, site, ids[id(site.node)]))
        elif kind == GROUP_CHAT:
            facts.teams.append(_group_chat(ctx, site, ids))
        elif isinstance(site.node.func, cst.Attribute) and site.node.func.attr.value in RUN_METHODS:
            _run(ctx, site, ids, facts)
    return facts


def _agent(ctx: ExtractionContext, site: CallSite, agent_id: str) -> Agent:
    replies = given_limit(ctx, find_argument(ctx, site.node, site.scope, "max_consecutive_auto_reply"),
                          "max_consecutive_auto_reply", AUTO_REPLIES, none_means=AUTO_REPLIES)  # ``None``: 100
    return Agent(id=agent_id, framework=FRAMEWORK, name=literal_string(ctx, find_argument(ctx, site.node, site.scope, "name", 0)),
                 location=ctx.locate(site.node), limits={"max_consecutive_auto_reply": replies},
                 complete=not opaque_kwargs(ctx, site.node, site.scope))


def _group_chat(ctx: ExtractionContext, site: CallSite, ids: dict[int, str]) -> Team:
    found = find_argument(ctx, site.node, site.scope, "agents", 0)
    members = (list_elements(found.expr, found.scope) or []) if isinstance(found, Given) else []
    agents = [_instance_id(ctx, expr, scope, ids, AGENT_KINDS) for expr, scope in members]
    return Team(id=ids[id(site.node)], framework=FRAMEWORK, name=None, location=ctx.locate(site.node),
                agents=tuple(agent for agent in agents if agent is not None),
                limits={"max_round": numeric_limit(ctx, site.node, site.scope, "max_round", ROUNDS)},
                complete=bool(members) and None not in agents and not opaque_kwargs(ctx, site.node, site.scope))


def _instance_id(ctx: ExtractionContext, expr: cst.BaseExpression, scope: Scope, ids: dict[int, str],
                 kinds: frozenset[str]) -> str | None:
    value = ctx.evaluator.evaluate(expr, scope)
    return ids.get(id(value.call)) if isinstance(value, Instance) and value.kind in kinds else None


def _run(ctx: ExtractionContext, site: CallSite, ids: dict[int, str], facts: FrameworkFacts) -> None:
    """``sender.initiate_chat(recipient, max_turns=...)``: a run of the recipient, or of the group chat
    a ``GroupChatManager`` recipient manages."""
    func = site.node.func
    assert isinstance(func, cst.Attribute)
    sender = ctx.evaluator.evaluate(func.value, site.scope)
    if not (isinstance(sender, Instance) and sender.kind in AGENT_KINDS):
        return
    found = find_argument(ctx, site.node, site.scope, "recipient", 0)
    if not isinstance(found, Given):
        return
    recipient = ctx.evaluator.evaluate(found.expr, found.scope)
    target = None
    if isinstance(recipient, Instance) and recipient.kind == MANAGER:
        chat = find_argument(ctx, recipient.call, recipient.scope, "groupchat", 0)
        target = _instance_id(ctx, chat.expr, chat.scope, ids, frozenset({GROUP_CHAT})) if isinstance(chat, Given) else None
    elif isinstance(recipient, Instance) and recipient.kind in AGENT_KINDS:
        target = ids.get(id(recipient.call))
    if target is None:
        return
    # ``max_turns=None``, the default, leaves the chat to the agents' automatic-reply limits.
    turns = numeric_limit(ctx, site.node, site.scope, "max_turns", default(None, "no `max_turns`"))
    limits = {} if turns.status is BoundStatus.UNBOUNDED else {"max_turns": turns}
    run, call = record_run(ctx, site, target, f"{sender.kind}.{func.attr.value}", limits)
    facts.run_sites.append(run)
    facts.calls.append(call)
