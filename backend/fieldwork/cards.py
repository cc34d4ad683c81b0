"""The responsibility card's QR token (S15): a signed reference to one pairing, no expiry, no login.

The token names only the tenant and the pairing; the signature (keyed by SECRET_KEY with its own salt) stops
anyone from guessing another household's page. Rotate SECRET_KEY with SECRET_KEY_FALLBACKS, or every printed
card stops working.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "bangfu.fieldwork.card"
URL_NAME = "public-card"  # backend/web/public_urls.py


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def card_token(pairing) -> str:
    return _signer().sign(f"{pairing.tenant_id}-{pairing.pk}")


def read_card_token(token: str) -> tuple[int, int] | None:
    """(tenant_id, pairing_id) of a genuine token, else None."""
    try:
        value = _signer().unsign(token)
        tenant_id, pairing_id = (int(part) for part in value.split("-"))
    except (signing.BadSignature, ValueError):
        return None
    return tenant_id, pairing_id


def card_path(pairing) -> str:
    return reverse(URL_NAME, kwargs={"token": card_token(pairing)})


def card_url(pairing) -> str:
    """The absolute address printed as the card's QR code."""
    return settings.BANGFU_PUBLIC_URL.rstrip("/") + card_path(pairing)
