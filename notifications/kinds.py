"""Every notification kind and the context variables its templates use (documented in docs/notifications.md).

Callers pass exactly these variables; `tenant_name` is added by `notify()` when absent. Templates live in
`templates/notifications/<kind>.txt` (first line subject, rest body; inbox and e-mail) and
`templates/notifications/sms/<kind>.txt` (one short line; SMS and the WeCom robot).
"""

from __future__ import annotations

DUE = ("helper_name", "household_name", "due_on", "days_left", "channel_label")

KINDS: dict[str, tuple[str, ...]] = {
    "visit_due": DUE,
    "call_due": DUE,
    "roster_due": ("unit_name", "town_name", "due_on", "days_left", "quota"),
    "report_due": ("town_name", "quarter_label", "due_on", "days_left"),
    "delivery_due": ("helper_name", "household_name", "festival", "festival_on"),
    "interview_due": ("person_name", "when", "where"),
    "miss_recorded": ("person_name", "household_name", "kind_label", "window_label"),
    "escalation_notice": ("level", "target_name", "year", "reason"),
    "interview_scheduled": ("target_name", "when", "where", "who"),
    "report_returned": ("town_name", "quarter_label", "reason"),
    "roster_returned": ("unit_name", "town_name", "reason"),
    "roster_overdue": ("unit_name", "town_name", "cutoff"),
    "report_overdue": ("town_name", "quarter_label", "due_on"),
    "delivery_failed": ("recipient", "channel", "error"),
    "income_submitted": ("helper_name", "household_name", "year", "per_capita"),
    "income_returned": ("helper_name", "household_name", "year", "reason"),
    # Free text for operators' announcements.
    "generic": ("subject", "body"),
}

LABELS: dict[str, str] = {
    "visit_due": "入户走访提醒",
    "call_due": "电话联系提醒",
    "roster_due": "名单报送提醒",
    "report_due": "季度报告提醒",
    "delivery_due": "节日慰问提醒",
    "interview_due": "约谈提醒",
    "miss_recorded": "未履职记录",
    "escalation_notice": "问责通知",
    "interview_scheduled": "约谈通知",
    "report_returned": "季度报告退回",
    "roster_returned": "名单退回",
    "roster_overdue": "名单逾期",
    "report_overdue": "季度报告逾期",
    "delivery_failed": "消息发送失败",
    "income_submitted": "收入明细表待核实",
    "income_returned": "收入明细表退回",
    "generic": "通知",
}


_DIRECT = ("inbox", "email", "sms")
_LOUD = ("inbox", "email", "sms", "wecom")

# Channels a kind goes out on unless the person chose otherwise (Preference). The WeCom group robot is
# for what the office group should see: warnings, escalations and interviews.
DEFAULT_CHANNELS: dict[str, tuple[str, ...]] = {
    "visit_due": _DIRECT,
    "call_due": _DIRECT,
    "roster_due": _DIRECT,
    "report_due": _DIRECT,
    "delivery_due": _DIRECT,
    "interview_due": _DIRECT,
    "miss_recorded": _LOUD,
    "escalation_notice": _LOUD,
    "interview_scheduled": _LOUD,
    "report_returned": _DIRECT,
    "roster_returned": _DIRECT,
    "roster_overdue": _LOUD,
    "report_overdue": _LOUD,
    "delivery_failed": ("inbox", "email"),
    "income_submitted": _DIRECT,
    "income_returned": _DIRECT,
    "generic": ("inbox", "email"),
}


def missing_variables(kind: str, context: dict) -> list[str]:
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    return [name for name in KINDS[kind] if name not in context]
