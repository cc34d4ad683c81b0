"""S5 with a real Celery worker on Redis and PostgreSQL: starting a campaign asks for its reminders after
commit, and the worker sends one per pending delivery, once."""

from __future__ import annotations

import re

import pytest

from backend.tenancy.models import Policy
from notifications.models import Notification
from tests.notifications.worker import running_worker, wait_until
from workflows.deliveries import services as deliveries
from workflows.deliveries.festivals import Festival, date_of
from workflows.plans.access import local_today

from .conftest import activate


def sent(log) -> list[int]:
    """What each finished `deliveries.remind` returned, from the worker's log."""
    return [int(n) for n in re.findall(r"deliveries\.remind\[[^\]]+\] succeeded in [\d.]+s: (\d+)", log.read_text())]


pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_s5_a_real_worker_sends_the_reminders_of_a_started_campaign(cast, tmp_path):
    from workers.app import app

    app.control.purge()
    activate(cast, cast.household, cast.first_helper, cast.second_helper)
    # The worker runs on the real clock: the next 春节 campaign, with reminders from a year ahead.
    today = local_today(cast.tenant)
    year = today.year if date_of(Festival.CHUNJIE, today.year - 1) < today else today.year - 1
    Policy.objects.create(tenant=cast.tenant, reminder_days={**cast.policy.reminder_days, "delivery": 400})
    office = cast.actor("city_office")
    campaign = deliveries.plan(actor=office, year=year, festival=Festival.CHUNJIE, goods="米、面、油", budget="1000",
                               starts_on=today)
    with running_worker(tmp_path / "worker.log", {}, queues="default"):
        deliveries.start(actor=office, campaign=campaign)  # commits; the job goes out on commit
        assert wait_until(lambda: Notification.objects.filter(kind="delivery_due").exists(), timeout=60), \
            (tmp_path / "worker.log").read_text()
        app.send_task("deliveries.remind", kwargs={"campaign_id": campaign.pk})  # a redelivery: nothing twice
        log = tmp_path / "worker.log"
        assert wait_until(lambda: len(sent(log)) >= 2, timeout=60), log.read_text()
    assert sent(log) == [1, 0]  # the second run finds the reminder sent
    note = Notification.objects.get(kind="delivery_due")
    assert note.user_id == cast.users["first_helper"].pk and "春节" in note.body
