"""Demo visits and calls for the seeded pairings, up to a date (opt-in: `bangfu seed laizhou --visits-until`).

Most helpers keep the S8 frequencies; a few miss windows, so the deadline engine has something to find.
Records are bulk-written with their signatures, then ContactMonth is rebuilt from them in one pass.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw

from backend.fieldwork import contacts
from backend.fieldwork.models import Channel, EditAction, ImageKind, SignMethod, Visit, VisitEdit, VisitImage
from backend.tenancy.models import Policy, Tenant
from workflows.pairings.models import Pairing, PairingState

BATCH = 2000
ITEMS = ["policy", "collect", "income", "plan", "bang", "fu", "song", "motivate"]
SUMMARIES = ["宣讲医疗、教育扶贫政策", "了解家庭收入和身体状况", "帮助联系村医复诊", "协助办理慢性病卡",
             "商量发展庭院种植", "送去米面油", "帮助打扫院落", "鼓励参加技能培训"]


@dataclass(frozen=True)
class Signature:
    data: bytes
    sha256: str
    width: int
    height: int


def _signature(seed: int) -> Signature:
    rng = random.Random(seed)
    img = Image.new("L", (240, 80), 255)
    draw = ImageDraw.Draw(img)
    points = [(10 + i * 22, 40 + rng.randint(-25, 25)) for i in range(11)]
    draw.line(points, fill=0, width=3)
    out = io.BytesIO()
    img.save(out, format="PNG")
    raw = out.getvalue()
    return Signature(raw, hashlib.sha256(raw).hexdigest(), img.width, img.height)


def _months(start: dt.date, until: dt.date):
    year, month = start.year, start.month
    while (year, month) <= (until.year, until.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _day(rng: random.Random, year: int, month: int, lo: dt.date, hi: dt.date) -> dt.date | None:
    first = max(dt.date(year, month, 1), lo)
    last = min(dt.date(year, month, calendar.monthrange(year, month)[1]), hi)
    return None if first > last else first + dt.timedelta(days=rng.randint(0, (last - first).days))


class VisitSeeder:
    def __init__(self, tenant: Tenant, until: dt.date, seed: int):
        self.tenant, self.until, self.rng = tenant, until, random.Random(seed)
        self.policy = Policy.current(tenant, until)
        self.signatures = [_signature(seed + n) for n in range(4)]
        self.visits: list[Visit] = []

    def plan(self) -> None:
        pairings = Pairing.objects.filter(tenant=self.tenant, state=PairingState.ACTIVE, met_on__isnull=False)
        for p in pairings.only("pk", "first_helper_id", "second_helper_id", "met_on", "term_end").iterator():
            self.pairing(p)

    def pairing(self, p) -> None:
        rng, end = self.rng, min(self.until, p.term_end)
        diligent = rng.random() > 0.08  # about one helper in twelve lets windows lapse
        self.add(p, "first", Channel.IN_PERSON, p.met_on)  # the first meeting (S10)
        for rule in self.policy.frequency_rules:
            months = rule["months"]
            for year, month in _months(p.met_on, end):
                if (month - 1) % months:
                    continue
                last_month = min(month + months - 1, 12)
                hi = min(dt.date(year, last_month, calendar.monthrange(year, last_month)[1]), end)
                if rng.random() < (0.97 if diligent else 0.55):
                    on = _day(rng, year, rng.randint(month, last_month), p.met_on + dt.timedelta(days=1), hi)
                    if on:
                        self.add(p, rule["role"], rule["channel"], on)

    def add(self, p, role: str, channel: str, on: dt.date) -> None:
        rng = self.rng
        signed = channel == Channel.IN_PERSON
        method = rng.choices([SignMethod.SIGNATURE, SignMethod.THUMBPRINT, SignMethod.WITNESS], [85, 10, 5])[0]
        witness = signed and method == SignMethod.WITNESS
        self.visits.append(Visit(
            tenant=self.tenant, pairing_id=p.pk, role=role, channel=channel, occurred_on=on,
            helper_id=p.first_helper_id if role == "first" else p.second_helper_id,
            items=rng.sample(ITEMS, rng.randint(1, 3)), summary=rng.choice(SUMMARIES),
            household_sign_method=method if signed else "",
            household_signer_name="户主" if signed and not witness else "",
            witness_name="村委见证人" if witness else "", witness_role="村公证人" if witness else "",
            entered_at=dt.datetime.combine(on, dt.time(18), tzinfo=dt.UTC)))

    def write(self) -> int:
        for start in range(0, len(self.visits), BATCH):
            batch = Visit.objects.bulk_create(self.visits[start:start + BATCH])
            images, edits = [], []
            for v in batch:
                edits.append(VisitEdit(tenant=self.tenant, visit=v, action=EditAction.CREATE, actor_label="演示数据"))
                if v.channel == Channel.IN_PERSON:
                    for kind in (ImageKind.HELPER_SIGNATURE, ImageKind.HOUSEHOLD_SIGNATURE):
                        sig = self.rng.choice(self.signatures)
                        images.append(VisitImage(tenant=self.tenant, visit=v, kind=kind, content_type="image/png",
                                                 data=sig.data, size=len(sig.data), width=sig.width,
                                                 height=sig.height, sha256=sig.sha256))
            VisitImage.objects.bulk_create(images)
            VisitEdit.objects.bulk_create(edits)
        contacts.rebuild(self.tenant)
        return len(self.visits)


def seed_visits(tenant: Tenant, *, until: dt.date, seed: int = 2018) -> int:
    """Generate and write the demo records; returns how many."""
    seeder = VisitSeeder(tenant, until, seed)
    seeder.plan()
    return seeder.write()
