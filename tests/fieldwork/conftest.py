"""Fieldwork fixtures: an active pairing of the fixed cast, images made with Pillow, a frozen 2018 clock."""

from __future__ import annotations

import base64
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from PIL import Image

from tests.conftest import PAIRED_ON
from workflows.pairings import services as pairings

TODAY = dt.date(2018, 5, 10)


def png(size=(120, 60), color=(20, 20, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def data_url(raw: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(raw).decode()}"


def jpeg_with_gps(size=(64, 48)) -> bytes:
    img = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x0110] = "TestCam"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (37.0, 10.0, 0.0), "E", (119.0, 56.0, 0.0)
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def at_noon(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("Asia/Shanghai")),
                               tick=False)


@pytest.fixture
def today():
    with at_noon(TODAY):
        yield TODAY


@pytest.fixture
def pairing(cast):
    p = pairings.assign(actor=cast.actor("town_office"), household=cast.household, first_helper=cast.first_helper,
                        second_helper=cast.second_helper, on=PAIRED_ON)
    return pairings.activate(actor=cast.actor("town_office"), pairing=p, met_on=dt.date(2018, 3, 22))


def visit_body(pairing, on: dt.date, **extra) -> dict:
    body = {"pairing": pairing.pk, "occurred_on": on.isoformat(), "items": ["policy", "bang"],
            "summary": "宣讲医疗救助政策，帮助预约复诊。", "helper_signature": data_url(png()),
            "household_sign_method": "signature", "household_signer_name": "张德福",
            "household_signature": data_url(png(color=(0, 0, 90)))}
    body.update(extra)
    return body


def call_body(pairing, on: dt.date, **extra) -> dict:
    return {"pairing": pairing.pk, "occurred_on": on.isoformat(), "items": ["policy"], **extra}
