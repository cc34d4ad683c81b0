"""The helper's help plan (帮扶计划, A4) and holiday deliveries (S5) of one household, phone first.

The first helper (or the town office) keeps the plan: a draft with its measures, published for A4 and the
village disclosure, revised as a new draft. Deliveries are handed over with the household's receipt.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from backend.common.errors import DomainError
from backend.fieldwork.images import Upload
from backend.fieldwork.models import SignMethod
from backend.households.codes import labels
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor, get_visible
from workflows.deliveries import services as deliveries
from workflows.deliveries.models import Delivery
from workflows.plans import selectors as plan_selectors
from workflows.plans import services as plans
from workflows.plans.models import MEASURE_LIST, HelpPlan, PlanState

from .. import history
from ..access import page
from ..due import today
from ..errors import attach
from ..forms.visits import data_url_bytes
from ..widgets import DateInput
from .helper import HELPERS, _own_pairing

ITEM_FIELDS = ("measure", "content", "responsible", "expected_benefit", "expected_amount", "starts_on", "ends_on")
ITEM_ERROR = re.compile(r"^items\[(\d+)\]\.(\w+)$")
BLANK_ROWS = 2


def _date(value: str):
    try:
        return dt.date.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
        return value  # the service names the bad date next to its field


def _items_from_post(post) -> list[dict]:
    rows = []
    for i in range(int(post.get("item_count", "0") or 0)):
        row = {f: (post.get(f"item-{i}-{f}") or "").strip() for f in ITEM_FIELDS}
        if not any(row.values()):
            continue
        row["starts_on"], row["ends_on"] = _date(row["starts_on"]), _date(row["ends_on"])
        row["expected_amount"] = row["expected_amount"] or None
        rows.append(row)
    return rows


def _item_rows(items: list[dict], errors: dict[int, list[str]]) -> list[dict]:
    rows = [dict(i, errors=errors.get(n, [])) for n, i in enumerate(items)]
    return rows + [{"errors": []} for _ in range(BLANK_ROWS)]


@page(*HELPERS)
def plan(request, pk: int):
    actor: Actor = request.actor
    pairing, role = _own_pairing(actor, pk)
    draft = HelpPlan.objects.filter(pairing=pairing, state=PlanState.DRAFT).prefetch_related("items").first()
    keeper = role == "first" and actor.has(Role.FIRST_HELPER)
    top, row_errors, status = [], {}, 200
    headline = draft.headline if draft else ""
    goal = draft.goal if draft else ""
    items = [{f: getattr(i, f) for f in ITEM_FIELDS} for i in draft.items.all()] if draft else []
    action = request.POST.get("action", "")
    if request.method == "POST" and keeper:
        headline, goal = request.POST.get("headline", ""), request.POST.get("goal", "")
        posted = _items_from_post(request.POST)
        try:
            done = _save(actor, pairing, draft, action, headline, goal, posted)
        except DomainError as exc:
            status, items = 422, posted
            for name, msgs in (exc.fields or {}).items():
                match = ITEM_ERROR.match(name)
                if match:
                    row_errors.setdefault(int(match[1]), []).extend(msgs)
                else:
                    top.extend(msgs)
            if not exc.fields:
                top.append(exc.message)
        else:
            messages.success(request, done)
            return redirect("web:plan", pk=pairing.pk)
    published = plan_selectors.published_plan(pairing)
    return render(request, "web/helper/plan.html", {
        "pairing": pairing, "published": published, "draft": draft, "keeper": keeper, "top_errors": top,
        "headline": headline, "goal": goal, "rows": _item_rows(items, row_errors),
        "measures": sorted(labels(MEASURE_LIST).items()),
        "history": history.rows(draft) if draft else [],
    }, status=status)


def _save(actor: Actor, pairing, draft, action: str, headline: str, goal: str, items: list[dict]) -> str:
    if action == "revise":
        current = HelpPlan.objects.get(pairing=pairing, state=PlanState.PUBLISHED)
        plans.revise(actor=actor, plan=current)
        return "已生成新的帮扶计划草稿，可修改后重新公布。"
    if draft is None:
        draft = plans.create(actor=actor, pairing=pairing, headline=headline, goal=goal, items=items)
    else:
        plans.update(actor=actor, plan=draft, headline=headline, goal=goal, items=items)
    if action == "publish":
        plans.publish(actor=actor, plan=draft)
        return f"第{draft.version}版帮扶计划已公布，将用于帮扶责任清单和村级公示。"
    return "帮扶计划草稿已保存。"


class ReceiptForm(forms.Form):
    delivered_on = forms.DateField(label="送达日期", widget=DateInput())
    goods = forms.CharField(label="送达物资", required=False, max_length=200)
    receipt_sign_method = forms.ChoiceField(label="签收方式", required=False, widget=forms.RadioSelect,
                                            choices=SignMethod.choices)
    receipt_signer_name = forms.CharField(label="签收人姓名", required=False, max_length=40)
    witness_name = forms.CharField(label="见证人姓名", required=False, max_length=40)
    witness_role = forms.CharField(label="见证人身份", required=False, max_length=40)
    receipt_signature = forms.CharField(label="签收签字", required=False, widget=forms.HiddenInput)
    note = forms.CharField(label="备注", required=False, max_length=500)


@page(*HELPERS)
def deliver(request, pk: int, delivery_pk: int):
    actor: Actor = request.actor
    pairing, _role = _own_pairing(actor, pk)
    delivery = get_visible(Delivery.objects.filter(pairing=pairing).select_related("campaign"), actor, delivery_pk)
    form = ReceiptForm(request.POST or None, initial={"delivered_on": today(actor), "goods": delivery.campaign.goods})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        image = data_url_bytes(d["receipt_signature"])
        try:
            deliveries.complete(actor=actor, delivery=delivery, delivered_on=d["delivered_on"],
                                receipt_sign_method=d["receipt_sign_method"], signature=Upload(image) if image else None,
                                receipt_signer_name=d["receipt_signer_name"], witness_name=d["witness_name"],
                                witness_role=d["witness_role"], goods=d["goods"], note=d["note"])
        except DomainError as exc:
            attach(form, exc)
        else:
            messages.success(request, f"已登记{delivery.campaign}送达。")
            return redirect("web:my-household", pk=pairing.pk)
    return render(request, "web/helper/deliver.html", {"form": form, "pairing": pairing, "delivery": delivery},
                  status=422 if form.errors else 200)
