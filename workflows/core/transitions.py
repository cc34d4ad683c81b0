"""The one way to move a workflow: role check, state check, save with the stale guard, log row."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django_fsm import ConcurrentTransition, can_proceed
from django_fsm import TransitionNotAllowed as FSMTransitionNotAllowed

from backend.common.errors import Forbidden, StaleObject, TransitionNotAllowed
from backend.tenancy.models import Policy
from backend.tenancy.scoping import Actor

from .models import TransitionLog


def apply(obj, name: str, *, actor: Actor, roles: Iterable[str], reason: str = "", data: dict | None = None,
          field: str = "state", **kwargs):
    """Run transition `name` on `obj` inside the caller's transaction and log it.

    403 when the actor holds none of `roles`; 409 when the transition is not allowed from the current state
    or another request moved the object first (ConcurrentTransitionMixin's guarded UPDATE).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transitions run inside transaction.atomic()")
    roles = tuple(roles)
    if not actor.system and not actor.has(*roles):
        raise Forbidden()
    method = getattr(obj, name)
    from_state = getattr(obj, field)
    if not can_proceed(method):
        raise TransitionNotAllowed(f"当前状态“{obj_state_label(obj, field)}”下不能执行“{transition_label(method)}”。")
    try:
        method(**kwargs)
        obj.save()
    except FSMTransitionNotAllowed:
        raise TransitionNotAllowed() from None
    except ConcurrentTransition:
        raise StaleObject() from None
    TransitionLog.objects.create(
        tenant_id=obj.tenant_id, content_type_id=_content_type_id(obj), object_id=obj.pk, transition=name,
        from_state=from_state, to_state=getattr(obj, field), actor=actor.user, actor_label=str(actor)[:60],
        reason=reason or "", data=data or {}, policy_version=Policy.current(actor.tenant).version,
    )
    return obj


def log_creation(obj, *, actor: Actor, reason: str = "", data: dict | None = None, field: str = "state"):
    """The first log row of an object, so its history starts where it was made."""
    log_event(obj, "create", actor=actor, reason=reason, data=data, field=field, from_state="")


def log_event(obj, name: str, *, actor: Actor, reason: str = "", data: dict | None = None, field: str = "state",
              from_state: str | None = None):
    """A logged change that does not move the state (e.g. a draft's entries edited, an attestation)."""
    state = getattr(obj, field)
    TransitionLog.objects.create(
        tenant_id=obj.tenant_id, content_type_id=_content_type_id(obj), object_id=obj.pk, transition=name,
        from_state=state if from_state is None else from_state, to_state=state, actor=actor.user,
        actor_label=str(actor)[:60], reason=reason or "", data=data or {},
        policy_version=Policy.current(actor.tenant).version,
    )


def _content_type_id(obj) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


def transition_label(method) -> str:
    meta = getattr(method, "_django_fsm", None)
    custom = {}
    if meta is not None:
        for t in meta.transitions.values():
            custom = t.custom or custom
    return custom.get("label", method.__name__)


def obj_state_label(obj, field: str) -> str:
    display = getattr(obj, f"get_{field}_display", None)
    return display() if display else getattr(obj, field)
