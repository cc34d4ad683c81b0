"""Reads of the accountability records that other areas use."""

from __future__ import annotations

from backend.directory.models import Organisation
from backend.households.models import Household

from .models import Miss, MissKind, MissState


def responsible_unit(household: Household) -> Organisation | None:
    """S7: the side answerable for this household after an unfiled helper change, if there was one."""
    miss = (Miss.objects.filter(household=household, kind=MissKind.UNFILED_REPLACEMENT, state=MissState.RECORDED)
            .select_related("organisation").order_by("-window_end", "-id").first())
    return miss.organisation if miss else None
