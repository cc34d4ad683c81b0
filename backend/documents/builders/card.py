"""精准帮扶责任卡 (S15): the main card (正卡, kept by the household) and the counterpart (副卡, kept by the
first helper), both printed from the one visit log with its double signatures, and a QR code that opens the
household's verification page."""

from __future__ import annotations

import segno
from django.db.models import Q

from backend.common.errors import NotFound
from backend.fieldwork.selectors import COPIES, card_data, images_as_data_uris
from workflows.pairings.models import Pairing
from workflows.plans.selectors import published_plan

from ..request import Output, Request
from .common import office

BLANK_ROWS = 6  # ruled lines under the log for visits written by hand before they are entered


def pairing_for(req: Request) -> Pairing:
    """The household's pairing in force on the date (or the pairing named by `subject`)."""
    qs = Pairing.objects.filter(tenant=req.tenant).select_related(
        "household__village__town", "first_helper__organisation", "second_helper__organisation")
    if req.params.subject_id is not None:
        pairing = qs.filter(pk=req.params.subject_id, household=req.params.household).first()
    else:
        on = req.params.on
        pairing = (qs.filter(household=req.params.household, proposed_on__lte=on)
                   .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on)).order_by("-proposed_on", "-id").first()
                   or qs.filter(household=req.params.household).order_by("-proposed_on", "-id").first())
    if pairing is None:
        raise NotFound("该户尚未结对，没有帮扶责任卡。")
    return pairing


def qr_data_uri(url: str) -> str:
    return segno.make_qr(url, error="m").png_data_uri(scale=4, border=2)


def build_card(req: Request) -> Output:
    pairing = pairing_for(req)
    plan = published_plan(pairing)
    copies = [card_data(pairing, copy=copy, plan=plan) for copy in COPIES]
    for helper, data in ((pairing.first_helper, "first_helper"), (pairing.second_helper, "second_helper")):
        for copy in copies:
            copy[data]["phone"] = req.personal.phone(helper.phone, f"directory.Person:{helper.pk}")
    household_phone = req.personal.phone(pairing.household.phone, f"households.Household:{pairing.household_id}")
    for copy in copies:
        copy["household"]["phone"] = household_phone
    visits = copies[0]["visits"]
    images = images_as_data_uris([v[k] for v in visits for k in ("helper_signature", "household_signature")])
    for copy in copies:
        for v in copy["visits"]:
            v["helper_signature_uri"] = images.get(v["helper_signature"], "")
            v["household_signature_uri"] = images.get(v["household_signature"], "")
    req.progress(len(visits), len(visits))
    household = pairing.household
    return Output(
        title="精准帮扶责任卡", filename=f"精准帮扶责任卡-{household.head_name}-{household.code}",
        issuer=office(req.tenant), issued_on=req.params.on, template="documents/card.html", rows=len(visits),
        context={"copies": copies, "qr": qr_data_uri(copies[0]["qr_url"]),
                 "blank_rows": range(BLANK_ROWS)},
    )
