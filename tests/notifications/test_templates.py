"""SPEC §6: texts in Chinese, from templates, one per kind, with the documented variables."""

import datetime as dt

import pytest
from django.template.loader import get_template

from notifications import services
from notifications.kinds import KINDS

SAMPLE = {
    "helper_name": "李明", "household_name": "张德福", "due_on": dt.date(2018, 4, 30), "days_left": 7,
    "channel_label": "入户走访", "unit_name": "莱州市财政局", "town_name": "城港路街道", "quota": 2,
    "quarter_label": "2018年第二季度", "festival": "端午节", "festival_on": dt.date(2018, 6, 18),
    "person_name": "李明", "when": dt.datetime(2018, 5, 6, 6, 30, tzinfo=dt.UTC), "where": "市扶贫办会议室",
    "kind_label": "入户走访", "window_label": "2018年3月—4月", "level": "一级", "target_name": "李明",
    "year": 2018, "reason": "未按要求入户走访 <两次> & \"其他\"", "who": "市扶贫办主任", "cutoff": dt.date(2018, 3, 21),
    "recipient": "王芳", "channel": "短信", "error": "号码无效", "subject": "会议通知", "body": "明天开会",
    "per_capita": "3,650.00",
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_s6_every_kind_renders_chinese_subject_body_and_short_text(kind):
    context = {"tenant_name": "莱州市", **{name: SAMPLE[name] for name in KINDS[kind]}}
    subject, body = services.render(kind, context)
    short = services.render_short(kind, services.params_of(context))
    for text in (subject, body, short):
        assert text and "{" not in text and "&lt;" not in text and "&quot;" not in text
    every = subject + body
    for name in KINDS[kind]:
        assert services.display(context[name]) in every, f"{kind} does not show {name}"
    assert "\n" not in subject and "\n" not in short


def test_dates_and_times_read_in_chinese_in_the_local_zone():
    assert services.display(dt.date(2018, 4, 30)) == "2018年4月30日"
    assert services.display(dt.datetime(2018, 5, 6, 6, 30, tzinfo=dt.UTC)) == "2018年5月6日 14:30"


def test_every_kind_has_both_templates():
    for kind in KINDS:
        get_template(f"notifications/{kind}.txt")
        get_template(f"notifications/sms/{kind}.txt")


def test_a_missing_variable_is_refused_loudly(cast):
    with pytest.raises(ValueError, match="household_name"):
        services.notify(tenant=cast.tenant, recipients=[], kind="visit_due", key="k",
                        context={"helper_name": "李明", "due_on": dt.date(2018, 4, 30), "days_left": 3,
                                 "channel_label": "入户走访"})
