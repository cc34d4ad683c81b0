"""A workflow object's history (its transition log) in Chinese, for the pages."""

from __future__ import annotations

from workflows.core.models import TransitionLog
from workflows.core.transitions import transition_label

# Logged events that are not FSM transitions.
EVENTS = {"create": "创建", "edit_entries": "修改名单", "attest": "确认", "override": "特批"}


def rows(obj, field: str = "state") -> list[dict]:
    choices = dict(obj._meta.get_field(field).choices)
    out = []
    for log in TransitionLog.objects.for_object(obj).select_related("actor").order_by("at", "id"):
        method = getattr(type(obj), log.transition, None)
        label = EVENTS.get(log.transition) or (transition_label(method) if method else log.transition)
        out.append({"at": log.at, "who": (log.actor.get_full_name() if log.actor else "") or log.actor_label,
                    "action": label, "from": choices.get(log.from_state, log.from_state),
                    "to": choices.get(log.to_state, log.to_state), "moved": log.from_state != log.to_state,
                    "reason": log.reason})
    return out
