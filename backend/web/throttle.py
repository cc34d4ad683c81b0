"""Sign-in throttling for the web form (SPEC §8): failed attempts counted per user name and per address.

Only failures count, so a whole town office behind one intranet address is not locked out by its own
successful sign-ins; the per-address limit is higher than the per-name one for the same reason.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, ip: str | None) -> list[tuple[str, int]]:
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [(f"web-login-fail:user:{name}", settings.BANGFU_LOGIN_FAILURES_PER_USER),
            (f"web-login-fail:ip:{ip or '-'}", settings.BANGFU_LOGIN_FAILURES_PER_IP)]


def blocked(username: str, ip: str | None) -> bool:
    return any((cache.get(key) or 0) >= limit for key, limit in _keys(username, ip))


def record_failure(username: str, ip: str | None) -> None:
    window = settings.BANGFU_LOGIN_FAILURE_WINDOW
    for key, _limit in _keys(username, ip):
        if cache.add(key, 1, window):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, window)


def reset_user(username: str) -> None:
    """After a successful sign-in; the address counter stays, so one known password cannot clear it."""
    cache.delete(_keys(username, None)[0][0])


def reset(username: str, ip: str | None) -> None:
    cache.delete_many([key for key, _limit in _keys(username, ip)])


def window_minutes() -> int:
    return max(settings.BANGFU_LOGIN_FAILURE_WINDOW // 60, 1)
