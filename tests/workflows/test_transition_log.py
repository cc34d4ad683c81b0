"""The transition log is append-only: through the ORM always, through SQL on PostgreSQL (SPEC §4)."""

import pytest
from django.db import DatabaseError, connection, transaction

from tests.conftest import PAIRED_ON
from workflows.core.models import AppendOnly, TransitionLog
from workflows.pairings import services


@pytest.fixture
def log_row(cast):
    services.assign(actor=cast.actor("town_office"), household=cast.household, first_helper=cast.first_helper,
                    second_helper=cast.second_helper, on=PAIRED_ON, reason="首次结对")
    return TransitionLog.objects.get()


def test_log_records_actor_and_reason(cast, log_row):
    assert log_row.actor == cast.users["town_office"] and log_row.reason == "首次结对"
    assert log_row.policy_version == cast.policy.version


def test_log_cannot_be_changed_through_the_orm(log_row):
    log_row.reason = "改写"
    with pytest.raises(AppendOnly):
        log_row.save()
    with pytest.raises(AppendOnly):
        log_row.delete()
    with pytest.raises(AppendOnly):
        TransitionLog.objects.all().update(reason="x")
    with pytest.raises(AppendOnly):
        TransitionLog.objects.all().delete()


@pytest.mark.postgres
def test_log_cannot_be_changed_through_sql_on_postgres(log_row):
    for sql in ("UPDATE workflow_core_transitionlog SET reason = 'x'", "DELETE FROM workflow_core_transitionlog"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
    assert TransitionLog.objects.get().reason == "首次结对"
