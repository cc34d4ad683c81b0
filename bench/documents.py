"""A1 (帮扶责任工作台账) for a town of 300 households: our total time next to WeasyPrint's time on the final
HTML alone, and the PDF's size. Goal: overhead ≤ 15 %, total ≤ 3 s, PDF ≤ 1 MB.

    .venv/bin/python bench/documents.py [--households 300] [--runs 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bangfu_documents .venv/bin/python bench/documents.py

It migrates the database it is given (default: a SQLite file in a temporary data directory) and uses a tenant
of its own (code `bench-docs`), built once and reused. Every figure is the median of the runs after one
warm-up run in the same process (fonts loaded, templates compiled), as in a long-lived worker, in CPU seconds
of this process (steady on a shared machine) and in wall-clock seconds:
- total: `services.render` — queries, rows, masking, the template, WeasyPrint;
- weasyprint: `html_to_pdf` on the exact HTML of that document;
- job: the whole worker path (`run_document_job`: claim, render, file into storage, done), one per run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.bangfu.settings")
if "DATABASE_URL" not in os.environ:
    os.environ.setdefault("BANGFU_DATA_DIR", tempfile.mkdtemp(prefix="bench-documents-"))

CODE = "bench-docs"
TOWN = "379999001"


def build(households: int):
    """One town, its villages, `households` in-scope households each with a head, their helpers, pairings."""
    import datetime as dt
    import random

    from backend.bangfu import names
    from backend.common.validators import id_check_digit
    from backend.directory.models import HelperCategory, Organisation, OrgKind, Person, UnitKind, Village
    from backend.households.models import Household, Member
    from backend.tenancy.models import Policy, Tenant
    from workflows.pairings.models import Pairing, PairingState

    rng = random.Random(300)
    tenant = Tenant.objects.create(code=CODE, name="基准测试市")
    Policy.current(tenant)
    Organisation.objects.create(tenant=tenant, code="city-office", kind=OrgKind.CITY_OFFICE, name="基准测试市扶贫办")
    town = Organisation.objects.create(tenant=tenant, code=TOWN, kind=OrgKind.TOWN, name="城港路街道", short_name="城港路")
    units = Organisation.objects.bulk_create(
        Organisation(tenant=tenant, code=f"u{i:02d}", kind=OrgKind.UNIT, unit_kind=UnitKind.CITY_AGENCY,
                     name=f"基准测试市第{i + 1}局") for i in range(12))
    villages = Village.objects.bulk_create(
        Village(tenant=tenant, town=town, code=f"{TOWN}{i + 1:03d}", name=names.village_name(rng, set()))
        for i in range(25))
    homes, heads = [], []
    for i in range(households):
        village = villages[i % len(villages)]
        sex = rng.choice(("01", "02"))
        head = names.person_name(rng, sex)
        body = f"379999{1940 + i % 40}{1 + i % 12:02d}{1 + i % 28:02d}{(i % 500) * 2 + (sex == '01'):03d}"
        homes.append(Household(tenant=tenant, code=f"{village.code}{i:04d}", village=village, head_name=head,
                               phone=names.mobile(rng), size=1, status="1", attribute="05",
                               main_cause=rng.choice(("1", "2", "8")), other_causes=rng.sample(["7", "9"], k=1),
                               identified_year=2015, address=f"{village.name}{rng.randint(1, 9)}组"))
        heads.append((head, sex, body + id_check_digit(body)))
    Household.objects.bulk_create(homes)
    Member.objects.bulk_create(Member(tenant=tenant, household=h, name=name, relation="01", id_number=number,
                                      sex=sex, health=["01"], labour="01", education="02")
                               for h, (name, sex, number) in zip(homes, heads, strict=True))
    first = Person.objects.bulk_create(
        Person(tenant=tenant, organisation=units[i % len(units)], name=names.person_name(rng, "01"), position="科员",
               phone=names.mobile(rng), party_member=True, helper_category=HelperCategory.CITY_AGENCY)
        for i in range(households))
    second = Person.objects.bulk_create(
        Person(tenant=tenant, organisation=town, name=names.person_name(rng, "02"), position="扶贫办科员",
               phone=names.mobile(rng), party_member=True, helper_category=HelperCategory.TOWN_CADRE)
        for _ in range((households + 4) // 5))
    on = dt.date(2018, 3, 19)
    Pairing.objects.bulk_create(
        Pairing(tenant=tenant, household=h, first_helper=f, second_helper=second[i // 5], first_slot=1,
                second_slot=i % 5 + 1, state=PairingState.ACTIVE, proposed_on=on, met_on=on, term_end=dt.date(2020, 12, 31))
        for i, (h, f) in enumerate(zip(homes, first, strict=True)))
    return tenant


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from backend.documents import render, services
    from backend.documents.kinds import KINDS
    from backend.documents.models import DocumentJob
    from backend.documents.params import resolve
    from backend.documents.pdf import html_to_pdf
    from backend.documents.request import PersonalData, Request
    from backend.households.models import Household
    from backend.tenancy.models import Membership, Tenant
    from backend.tenancy.scoping import Actor

    tenant = Tenant.objects.filter(code=CODE).first()
    if tenant is None or Household.objects.filter(tenant=tenant).count() != args.households:
        if tenant is not None:
            raise SystemExit(f"tenant {CODE} exists with another size; use a fresh database")
        with transaction.atomic():
            tenant = build(args.households)
    actor = Actor.system_for(tenant)
    raw = {"town": TOWN, "on": "2018-06-30"}

    def timed(fn):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        return (time.process_time() - cpu, time.perf_counter() - wall), result

    def total_once():
        return timed(lambda: services.render(actor=actor, kind="A1", fmt="pdf", raw=raw)[0])

    params, _ = resolve(tenant, raw, ("town",))
    html = render.to_html(KINDS["A1"].build(Request(tenant=tenant, actor=actor, params=params,
                                                     personal=PersonalData(False))))

    def engine_once():
        return timed(lambda: html_to_pdf(html))

    user = get_user_model().objects.filter(username="bench-docs").first()
    if user is None:
        from backend.directory.models import Organisation

        user = get_user_model().objects.create(username="bench-docs")
        Membership.objects.create(tenant=tenant, user=user, roles=["city_office"],
                                  organisation=Organisation.objects.get(tenant=tenant, code="city-office"))

    def job_once():
        with transaction.atomic():
            job = DocumentJob.objects.create(tenant=tenant, kind="A1", format="pdf", params=raw, requested_by=user)
        elapsed, done = timed(lambda: services.run_document_job(job.pk))
        assert done.state == "done", done.error
        return elapsed, done

    total_once(), engine_once(), job_once()  # warm-up: fonts into fontconfig, templates compiled
    totals, engines, job_times = [], [], []
    for _ in range(args.runs):
        t, rendered = total_once()
        totals.append(t)
        e, result = engine_once()
        engines.append(e)
        j, done = job_once()
        job_times.append(j)
    cpu = [statistics.median(x[0] for x in series) for series in (totals, engines, job_times)]
    wall = [statistics.median(x[1] for x in series) for series in (totals, engines, job_times)]
    overhead = (cpu[0] - cpu[1]) / cpu[1]
    print(f"A1, one town, {args.households} households, {rendered.pages} pages, {args.runs} runs (median), "
          f"database {os.environ.get('DATABASE_URL', 'sqlite (embedded)').split('@')[-1]}")
    print("                                   CPU s   wall s")
    print(f"  total (services.render)        {cpu[0]:6.2f}   {wall[0]:6.2f}")
    print(f"  WeasyPrint on the final HTML   {cpu[1]:6.2f}   {wall[1]:6.2f}")
    print(f"  whole job (claim → stored)     {cpu[2]:6.2f}   {wall[2]:6.2f}   (goal ≤ 3 s)")
    print(f"  overhead (total − WeasyPrint) / WeasyPrint: {100 * overhead:.1f} % (goal ≤ 15 %)")
    print(f"  PDF size: {len(rendered.content) / 1024:.0f} KiB (goal ≤ 1 MB); WeasyPrint warnings: "
          f"{len(rendered.warnings)}; HTML {len(html) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
