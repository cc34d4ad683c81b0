from rest_framework.permissions import SAFE_METHODS, BasePermission

from backend.tenancy.scoping import Actor


class IsTenantMember(BasePermission):
    """A signed-in user with a membership; read-only roles (assessors) may only read."""

    def has_permission(self, request, view) -> bool:
        actor = Actor.for_user(request.user)
        if actor is None:
            return False
        request.actor = actor
        return request.method in SAFE_METHODS or not actor.read_only
