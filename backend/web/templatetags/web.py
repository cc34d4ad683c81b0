"""Template filters and tags of the pages: Chinese dates, days left, masking, navigation, charts."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from backend.common import masking

from .. import charts
from ..navigation import items_for

register = template.Library()


@register.filter
def cn_date(value) -> str:
    """2018年3月21日 (a datetime is shown in local time with hours and minutes)."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def days_left(days: int | None) -> str:
    if days is None:
        return ""
    if days > 0:
        return f"还剩{days}天"
    if days == 0:
        return "今天截止"
    return f"已逾期{-days}天"


@register.filter
def urgency(days: int | None) -> str:
    """A CSS class for a deadline: overdue, within a week, or later."""
    if days is None:
        return ""
    return "overdue" if days < 0 else "soon" if days <= 7 else "later"


@register.filter
def mask_phone(value) -> str:
    return masking.mask_phone(value)


@register.filter
def mask_id(value) -> str:
    return masking.mask_id(value)


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def field_error(form, name: str):
    return form.errors.get(name, []) if form is not None else []


@register.inclusion_tag("web/partials/nav.html", takes_context=True)
def nav(context):
    request = context["request"]
    actor = getattr(request, "actor", None)
    path = request.path
    items = items_for(actor) if actor is not None else []
    return {"items": [(label, url, path == url or (url != "/" and path.startswith(url))) for label, url in items]}


@register.simple_tag
def bar_chart(rows, *, title: str = "", unit: str = "", max_value=None, highlight_below=None):
    """An inline SVG horizontal bar chart of (label, value) rows, drawn on the server."""
    return mark_safe(charts.bars(rows, title=title, unit=unit, max_value=max_value,
                                 highlight_below=highlight_below))
