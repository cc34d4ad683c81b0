"""Tenant and role scoping, in one place (SPEC §2, §8).

`Actor` is who is asking; `TenantQuerySet.visible_to(actor)` is the only way services, the API and the
admin list rows. A model narrows what non-tenant-wide roles see by overriding `scope_q`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from .roles import READ_ONLY, TENANT_WIDE, Role

if TYPE_CHECKING:
    from .models import Tenant


@dataclass(frozen=True)
class Actor:
    tenant: Tenant
    roles: frozenset[str]
    user: Any = None
    organisation: Any = None
    person: Any = None
    can_reveal: bool = False
    system: bool = field(default=False)

    @classmethod
    def for_user(cls, user) -> Actor | None:
        membership = getattr(user, "membership", None) if user and user.is_authenticated else None
        if membership is None:
            return None
        return cls(tenant=membership.tenant, roles=frozenset(membership.roles), user=user,
                   organisation=membership.organisation, person=membership.person,
                   can_reveal=membership.can_reveal_personal_data)

    @classmethod
    def system_for(cls, tenant: Tenant) -> Actor:
        """The deadline engine and other jobs act as the system, with whole-tenant scope."""
        return cls(tenant=tenant, roles=frozenset({Role.OPERATOR}), system=True)

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def tenant_wide(self) -> bool:
        return self.system or bool(self.roles & TENANT_WIDE)

    @property
    def read_only(self) -> bool:
        return not self.system and self.roles <= READ_ONLY

    @property
    def user_id(self):
        return getattr(self.user, "pk", None)

    def __str__(self) -> str:
        return "系统" if self.system else str(self.user)


NOTHING = Q(pk__in=[])


class TenantQuerySet(models.QuerySet):
    def for_tenant(self, tenant) -> TenantQuerySet:
        return self.filter(tenant=tenant)

    def visible_to(self, actor: Actor) -> TenantQuerySet:
        qs = self.for_tenant(actor.tenant)
        if actor.tenant_wide:
            return qs
        return qs.filter(self.scope_q(actor))

    def scope_q(self, actor: Actor) -> Q:
        """What a role below tenant-wide sees; models override. Default: nothing."""
        return NOTHING


def get_visible(queryset: TenantQuerySet, actor: Actor, pk):
    """One row the actor may see, or NotFound (404): out-of-scope and other tenants' ids look absent."""
    from backend.common.errors import NotFound

    try:
        return queryset.visible_to(actor).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
