"""The set-up campaign of March 2018 on the demo tenant (S7, S10), through the API, day by day: rosters on
time and late, one returned and resubmitted; pairings in place by 03-25 and one late; a replacement filed
with enough notice and an urgent one."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from backend.bangfu.accounts import add_user
from backend.bangfu.seed import seed
from backend.directory.models import Organisation, Person, UnitQuota
from backend.households.models import Household
from backend.tenancy.models import Policy, Tenant
from notifications.models import Notification
from workflows.core.models import TransitionLog
from workflows.pairings.models import Pairing
from workflows.replacements import services as replacements
from workflows.rosters.models import Roster

TZ = ZoneInfo("Asia/Shanghai")


class Campaign:
    def __init__(self, clock):
        self.clock = clock
        self.tenant = Tenant.objects.get(code="370683")
        self.policy = Policy.current(self.tenant)
        self.clients: dict[str, APIClient] = {}
        self.used: set[int] = set()

    def on(self, day: str, hour: int = 10) -> None:
        self.clock.move_to(dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=TZ))

    def login(self, org: Organisation, role: str) -> APIClient:
        key = f"{org.code}-{role}"
        if key not in self.clients:
            user = add_user(username=key, tenant_code="370683", org_code=org.code, roles=[role], password="pw-123456").user
            self.clients[key] = APIClient()
            self.clients[key].force_authenticate(user)
        return self.clients[key]

    def city(self) -> APIClient:
        return self.login(Organisation.objects.get(tenant=self.tenant, code="city-office"), "city_office")

    def cadres(self, unit: Organisation, n: int) -> list[Person]:
        found = [p for p in Person.objects.filter(organisation=unit).first_helper_candidates().order_by("id")
                 if p.pk not in self.used][:n]
        self.used.update(p.pk for p in found)
        assert len(found) == n
        return found

    def roster(self, quota: UnitQuota, people: list[Person]) -> dict:
        liaison = self.login(quota.unit, "unit_liaison")
        roster = liaison.post("/api/v1/rosters/", {"town": quota.town_id}, format="json").json()
        self.entries(quota, roster["id"], people)
        return roster

    def entries(self, quota: UnitQuota, rid: int, people: list[Person]):
        response = self.login(quota.unit, "unit_liaison").put(
            f"/api/v1/rosters/{rid}/entries/", {"entries": [{"person": p.pk} for p in people]}, format="json")
        assert response.status_code == 200, response.json()

    def act(self, client: APIClient, url: str, body: dict | None = None, status: int = 200) -> dict:
        response = client.post(url, body or {}, format="json")
        assert response.status_code == status, response.json()
        return response.json()

    def pair(self, town: Organisation, household: Household, first: Person, second: Person, status: int = 201):
        return self.act(self.login(town, "town_office"), "/api/v1/pairings/", {
            "household": household.pk, "first_helper": first.pk, "second_helper": second.pk}, status=status)


@pytest.fixture
def campaign(db):
    seed(households=240, seed=11, campaign=False)
    with time_machine.travel(dt.datetime(2018, 3, 18, 9, tzinfo=TZ), tick=False) as clock:
        yield Campaign(clock)


def test_s10_s7_march_2018_on_the_demo_tenant(campaign):
    c = campaign
    quotas = list(UnitQuota.objects.filter(tenant=c.tenant, count__range=(2, 6)).select_related("unit", "town")
                  .order_by("town__code", "unit__code"))
    a, b, late_q = quotas[0], next(q for q in quotas if q.unit_id != quotas[0].unit_id), None
    late_q = next(q for q in quotas if q.unit_id not in (a.unit_id, b.unit_id) and q.town_id != a.town_id)
    people = {q.pk: c.cadres(q.unit, q.count) for q in (a, b, late_q)}

    # 03-19: unit A submits on time; the town accepts the next day.
    c.on("2018-03-19")
    ra = c.roster(a, people[a.pk])
    assert c.act(c.login(a.unit, "unit_liaison"), f"/api/v1/rosters/{ra['id']}/submit/")["late"] is False
    # 03-20: unit B submits one short — refused, naming both numbers — then in full; the town returns it.
    c.on("2018-03-20")
    rb = c.roster(b, people[b.pk][:-1])
    refused = c.act(c.login(b.unit, "unit_liaison"), f"/api/v1/rosters/{rb['id']}/submit/", status=400)
    assert f"名单人数为{b.count - 1}人" in refused["message"] and f"{b.count}人不一致" in refused["message"]
    c.entries(b, rb["id"], people[b.pk])
    c.act(c.login(b.unit, "unit_liaison"), f"/api/v1/rosters/{rb['id']}/submit/")
    c.act(c.login(b.town, "town_office"), f"/api/v1/rosters/{rb['id']}/return/", {"reason": "职务填写不全"})
    assert Notification.objects.filter(kind="roster_returned", key__startswith=f"roster:{rb['id']}:").exists()
    c.act(c.login(a.town, "town_office"), f"/api/v1/rosters/{ra['id']}/accept/")
    # 03-21 (the cutoff): B corrects and resubmits, still on time; accepted.
    c.on("2018-03-21", hour=17)
    c.act(c.login(b.unit, "unit_liaison"), f"/api/v1/rosters/{rb['id']}/revise/")
    assert c.act(c.login(b.unit, "unit_liaison"), f"/api/v1/rosters/{rb['id']}/submit/")["late"] is False
    c.act(c.login(b.town, "town_office"), f"/api/v1/rosters/{rb['id']}/accept/")

    # Town A pairs its households with A's helpers, meets them on 03-23.
    def households(town, n):
        taken = Pairing.objects.values("household")
        found = list(Household.objects.filter(village__town=town).in_scope(c.policy, 2018).exclude(pk__in=taken)
                     .order_by("code")[:n])
        assert len(found) == n
        return found

    def seconds(town):
        return list(Person.objects.filter(organisation=town).second_helper_candidates().order_by("id"))

    c.on("2018-03-21", hour=18)
    cap = c.policy.second_helper_max_households
    pa = [c.pair(a.town, h, p, seconds(a.town)[i // cap]) for i, (h, p) in
          enumerate(zip(households(a.town, a.count), people[a.pk], strict=True))]
    # C's helpers are not yet available in C's town: the roster is not in.
    hc = households(late_q.town, late_q.count)
    refused = c.pair(late_q.town, hc[0], people[late_q.pk][0], seconds(late_q.town)[0], status=400)
    assert "已接收的第一帮扶责任人名单上" in refused["message"]

    # 03-23: unit C submits after the cutoff: late. Accepted and paired the same day.
    c.on("2018-03-23")
    rc = c.roster(late_q, people[late_q.pk])
    assert c.act(c.login(late_q.unit, "unit_liaison"), f"/api/v1/rosters/{rc['id']}/submit/")["late"] is True
    c.act(c.login(late_q.town, "town_office"), f"/api/v1/rosters/{rc['id']}/accept/")
    pc = [c.pair(late_q.town, h, p, seconds(late_q.town)[i // cap]) for i, (h, p) in
          enumerate(zip(hc, people[late_q.pk], strict=True))]
    for p in pa:
        assert c.act(c.login(a.town, "town_office"), f"/api/v1/pairings/{p['id']}/activate/",
                     {"met_on": "2018-03-23"})["late"] is False
    # 03-25: C's first household met on the in-place cutoff; 03-27: the second one late.
    c.on("2018-03-25", hour=16)
    assert c.act(c.login(late_q.town, "town_office"), f"/api/v1/pairings/{pc[0]['id']}/activate/",
                 {"met_on": "2018-03-25"})["late"] is False
    c.on("2018-03-27")
    assert c.act(c.login(late_q.town, "town_office"), f"/api/v1/pairings/{pc[1]['id']}/activate/",
                 {"met_on": "2018-03-27"})["late"] is True

    rosters = {r.pk: r for r in Roster.objects.filter(pk__in=[ra["id"], rb["id"], rc["id"]])}
    assert [(rosters[r["id"]].state, rosters[r["id"]].late) for r in (ra, rb, rc)] == [
        ("accepted", False), ("accepted", False), ("accepted", True)]
    assert [log.transition for log in TransitionLog.objects.for_object(rosters[rb["id"]])] == [
        "create", "edit_entries", "edit_entries", "submit", "return_to_unit", "revise", "submit", "accept"]

    # 03-27: unit A files a replacement with enough notice (effective 60 days on), accepted, not urgent.
    spare = c.cadres(a.unit, 2)
    filed = c.act(c.login(a.unit, "unit_liaison"), "/api/v1/replacements/", {
        "pairing": pa[0]["id"], "new_helper": spare[0].pk, "reason_code": "transfer",
        "effective_on": "2018-05-26", "reason": "原帮扶责任人调往烟台工作"}, status=201)
    assert c.act(c.city(), f"/api/v1/replacements/{filed['id']}/accept/")["urgent"] is False
    # A short-notice filing without a special reason is refused; an illness is accepted as urgent.
    short = c.act(c.login(late_q.town, "town_office"), "/api/v1/replacements/", {
        "pairing": pc[0]["id"], "new_helper": c.cadres(late_q.unit, 1)[0].pk, "reason_code": "work_needs",
        "effective_on": "2018-04-02"}, status=201)
    c.act(c.city(), f"/api/v1/replacements/{short['id']}/accept/", status=400)
    c.act(c.city(), f"/api/v1/replacements/{short['id']}/reject/", {"reason": "提前期不足60天"})
    urgent = c.act(c.login(late_q.town, "town_office"), "/api/v1/replacements/", {
        "pairing": pc[0]["id"], "new_helper": short["new_helper"], "reason_code": "serious_illness",
        "effective_on": "2018-04-02", "reason": "原帮扶责任人住院手术"}, status=201)
    assert c.act(c.city(), f"/api/v1/replacements/{urgent['id']}/accept/")["urgent"] is True

    # Each takes effect on its date: the old pairing ends and the new one is active, the same day.
    for day, rid in (("2018-04-02", urgent["id"]), ("2018-05-26", filed["id"])):
        c.on(day, hour=2)
        assert replacements.take_effect_due(tenant=c.tenant) == 1
        done = c.city().get(f"/api/v1/replacements/{rid}/").json()
        assert done["state"] == "effective"
        old = Pairing.objects.get(pk=done["pairing"])
        new = Pairing.objects.get(pk=done["new_pairing"])
        assert (old.state, old.end_reason, old.ended_on.isoformat()) == ("ended", "replaced", day)
        assert (new.state, new.met_on.isoformat(), new.first_helper_id) == ("active", day, done["new_helper"])
    assert not Pairing.objects.filter(replaced_by_filing=False, end_reason="replaced").exists()
