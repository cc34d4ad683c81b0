"""Holiday-delivery campaigns (节日慰问, S5) for the city office: the campaigns of a year, planning one for a
festival whose date the service computes (lunar-python, never typed), starting (one delivery record per
in-scope household), adding newly paired households and closing; and the coverage of a campaign per town and
per village with the households still waiting. A town office sees the coverage of its own town only: the
deliveries it may see (`visible_to`) are all the page counts."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from backend.common.errors import DomainError
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor, get_visible
from workflows.deliveries import festivals
from workflows.deliveries import services as deliveries
from workflows.deliveries.models import CampaignState, Delivery, DeliveryCampaign
from workflows.deliveries.selectors import coverage
from workflows.plans.access import is_city_office

from .. import history
from ..access import page
from ..due import today
from ..errors import attach
from ..templatetags.web import cn_date
from ..widgets import DateInput

ROLES = (Role.CITY_OFFICE, Role.OPERATOR, Role.TOWN_OFFICE)


class CampaignForm(forms.Form):
    festival = forms.ChoiceField(label="节日", widget=forms.RadioSelect)
    goods = forms.CharField(label="慰问物资", required=False, max_length=200, help_text="如：米、面、油")
    # Text, so the service's own Chinese messages (negative, not a number, more than two decimals) are shown.
    budget = forms.CharField(label="预算（元）", required=False, max_length=20)
    starts_on = forms.DateField(label="发放开始日期", required=False, widget=DateInput(),
                                help_text="不填则从今天开始")
    deliver_by = forms.DateField(label="送达截止日期", required=False, widget=DateInput(),
                                 help_text="不填则为节日前一天")
    funding = forms.CharField(label="资金来源", required=False, max_length=100)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, year: int, planned: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["festival"].choices = [
            (row["festival"], f"{row['label']}（{cn_date(row['on'])}）{'·已有计划' if row['festival'] in planned else ''}")
            for row in festivals.calendar(year)]


class ActionForm(forms.Form):
    reason = forms.CharField(label="说明", required=False, max_length=500)


def _year(request, actor: Actor) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else today(actor).year


@page(*ROLES)
def campaigns(request):
    actor: Actor = request.actor
    year = _year(request, actor)
    rows = list(DeliveryCampaign.objects.visible_to(actor).filter(year=year).order_by("festival_on", "id"))
    planned = {c.festival for c in rows}
    office = is_city_office(actor)
    form = None
    if office:
        form = CampaignForm(request.POST or None, year=year, planned=planned)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                campaign = deliveries.plan(actor=actor, year=year, festival=d["festival"], goods=d["goods"],
                                           budget=d["budget"], starts_on=d["starts_on"], deliver_by=d["deliver_by"],
                                           funding=d["funding"], note=d["note"])
            except DomainError as exc:
                attach(form, exc)
            else:
                messages.success(request, f"已制定{campaign}计划：节日为{cn_date(campaign.festival_on)}，"
                                          f"请于{cn_date(campaign.deliver_by)}前送达。")
                return redirect("web:delivery-campaign", pk=campaign.pk)
    elif request.method == "POST":
        raise PermissionDenied("节日慰问活动由市扶贫办制定和管理。")
    visible = Delivery.objects.visible_to(actor)
    table = [{"c": c, **{k: v for k, v in coverage(c, visible).items() if k in ("households", "delivered", "rate")}}
             for c in rows]
    now_year = today(actor).year
    years = sorted({now_year - 1, now_year, now_year + 1, year,
                    *DeliveryCampaign.objects.visible_to(actor).values_list("year", flat=True).distinct()})
    return render(request, "web/deliveries/list.html", {
        "year": year, "years": years, "rows": table, "form": form, "calendar": festivals.calendar(year),
        "planned": planned}, status=422 if form is not None and form.errors else 200)


def _town_id(request, towns: list[dict], actor: Actor) -> int | None:
    ids = {t["id"] for t in towns}
    try:
        wanted = int(request.GET.get("town", ""))
    except ValueError:
        wanted = None
    if wanted in ids:
        return wanted
    own = getattr(actor.organisation, "pk", None)
    if own in ids:
        return own
    return next(iter(ids)) if len(ids) == 1 else None


def _detail(request, actor: Actor, campaign: DeliveryCampaign, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    visible = Delivery.objects.visible_to(actor)
    cov = coverage(campaign, visible)
    town_id = _town_id(request, cov["towns"], actor)
    town = next((t for t in cov["towns"] if t["id"] == town_id), None)
    missing = []
    if town is not None:
        missing = list(visible.filter(campaign=campaign, household__village__town_id=town_id).pending()
                       .select_related("household__village", "helper__organisation")
                       .order_by("household__village__code", "household__code"))
    office = is_city_office(actor)
    return render(request, "web/deliveries/detail.html", {
        "campaign": campaign, "coverage": cov, "town": town, "missing": missing, "office": office,
        "can_start": office and campaign.state == CampaignState.PLANNED,
        "can_run": office and campaign.state == CampaignState.DELIVERING,
        "start_form": bound.get("start") or ActionForm(prefix="start"),
        "close_form": bound.get("close") or ActionForm(prefix="close"),
        "sync_form": bound.get("sync") or ActionForm(prefix="sync"),
        "history": history.rows(campaign)}, status=status)


@page(*ROLES)
def campaign(request, pk: int):
    actor: Actor = request.actor
    campaign = get_visible(DeliveryCampaign.objects.all(), actor, pk)
    if request.method != "POST":
        return _detail(request, actor, campaign)
    action = request.POST.get("action", "")
    if action not in ("start", "sync", "close"):
        return _detail(request, actor, campaign)
    form = ActionForm(request.POST, prefix=action)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    try:
        if action == "start":
            deliveries.start(actor=actor, campaign=campaign, reason=reason)
            done = f"{campaign}已开始发放，已为{campaign.deliveries.count()}户建立送达记录，第一帮扶责任人将收到提醒。"
        elif action == "sync":
            added = deliveries.sync(actor=actor, campaign=campaign)
            done = f"已补充{added}户新结对的贫困户。" if added else "送达名单已是最新，没有需要补充的贫困户。"
        else:
            deliveries.close(actor=actor, campaign=campaign, reason=reason)
            done = f"{campaign}已结束。"
    except DomainError as exc:
        if exc.status == 403:
            raise
        attach(form, exc)
        campaign = DeliveryCampaign.objects.get(pk=campaign.pk)
        return _detail(request, actor, campaign, {action: form}, status=422 if exc.status == 400 else exc.status)
    messages.success(request, done)
    return redirect("web:delivery-campaign", pk=campaign.pk)
