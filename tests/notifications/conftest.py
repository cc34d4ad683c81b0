"""Fixtures for notification tests: real servers (servers.py), channels pointed at them, a daytime clock."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications import services
from notifications.services import Recipient

from .servers import gateway_server, smtp_server

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAYTIME = dt.datetime(2018, 5, 7, 10, 0, tzinfo=SHANGHAI)
MOBILE = "13800138000"


@pytest.fixture
def gateway():
    with gateway_server() as g:
        yield g


@pytest.fixture
def smtp(tmp_path):
    with smtp_server(tmp_path / "mail") as s:
        yield s


@pytest.fixture
def channels(settings, gateway, smtp):
    """Every channel on, each pointed at a real local server."""
    settings.NOTIFY_EMAIL_ENABLED = True
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_SECRET = gateway.sms_url, gateway.secret
    settings.SMS_GATEWAY_VENDOR, settings.SMS_GATEWAY_SIGN_NAME = "aliyun", "莱州市扶贫办"
    settings.SMS_GATEWAY_TEMPLATES = {"visit_due": "SMS_100001", "miss_recorded": "SMS_100002"}
    settings.WECOM_WEBHOOK_URL = gateway.wecom_url
    return SimpleNamespace(gateway=gateway, smtp=smtp)


@pytest.fixture
def daytime():
    with time_machine.travel(DAYTIME, tick=False) as traveller:
        yield traveller


def helper(cast, *, email: str = "liming@example.cn", mobile: str = MOBILE, town: bool = True,
           login: bool = True) -> Recipient:
    """The cast's first helper as a recipient; without `login` a person reached only by their addresses."""
    user = cast.users["first_helper"]
    return Recipient(ref=f"user:{user.pk}" if login else f"person:{cast.first_helper.pk}", name="李明",
                     user_id=user.pk if login else None, person_id=cast.first_helper.pk,
                     email=email, mobile=mobile, town_id=cast.town.pk if town else None)


def visit_due(cast, recipients, key: str = "visit_due:1:2018-05", kind: str = "visit_due"):
    context = {"helper_name": "李明", "household_name": "张德福", "due_on": dt.date(2018, 5, 31), "days_left": 7,
               "channel_label": "入户走访"}
    if kind == "miss_recorded":
        context = {"person_name": "李明", "household_name": "张德福", "kind_label": "入户走访",
                   "window_label": "2018年3月—4月"}
    return services.notify(tenant=cast.tenant, recipients=recipients, kind=kind, key=key, context=context,
                           link="/pairings/1/")
