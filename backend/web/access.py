"""Who is asking, for server-rendered pages: the signed-in user's Actor, and role gates.

Pages use the same `Actor` and `visible_to` scoping as the API, so an out-of-scope id is a 404 here too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from backend.common.errors import DomainError
from backend.tenancy.scoping import Actor

from .errors import refusal_page


def page(*roles: str) -> Callable:
    """Decorate a view: signed-in members only; with `roles`, only actors holding one of them.

    Sets `request.actor`. A user without a membership (no tenant) cannot use the pages at all.
    """

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            actor = Actor.for_user(request.user)
            if actor is None:
                raise PermissionDenied("该账号未分配所属单位，不能使用本系统。")
            if roles and not actor.system and not actor.has(*roles):
                raise PermissionDenied("您的角色不能访问该页面。")
            request.actor = actor
            try:
                return view(request, *args, **kwargs)
            except DomainError as exc:  # a refusal no form on the page could show next to a field
                return refusal_page(request, exc)

        wrapper.page_roles = roles  # read by the navigation
        return wrapper

    return decorate


def can_write(actor: Actor) -> bool:
    return not actor.read_only
