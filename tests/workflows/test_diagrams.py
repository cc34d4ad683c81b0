"""SPEC §4: the state diagrams in docs/ are generated from the models and kept current."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from workflows.core.diagrams import document, machines

COMMITTED = Path(settings.BASE_DIR) / "docs" / "state-diagrams.md"


def test_committed_state_diagrams_are_current():
    assert COMMITTED.read_text("utf-8") == document(), "docs/state-diagrams.md is stale: run `bangfu fsm_diagrams`"


def test_every_workflow_machine_is_drawn_with_every_transition():
    text = document()
    drawn = {model.__name__ for model, _ in machines()}
    assert {"Roster", "Pairing", "Replacement", "QuarterlyReport", "Escalation"} <= drawn
    for edge in ("draft --> submitted: submit（报送）", "submitted --> returned: return（退回）",
                 "accepted --> effective: take-effect（生效）", "returned --> compiled: reopen（重新修改）",
                 "interview_held --> withdrawn: withdraw（撤销）", "proposed --> active: activate（确认到位）"):
        assert edge in text


def test_command_checks_and_writes(tmp_path):
    out = tmp_path / "diagrams.md"
    call_command("fsm_diagrams", out=str(out))
    call_command("fsm_diagrams", out=str(out), check=True)
    out.write_text("stale", "utf-8")
    with pytest.raises(CommandError, match="stale"):
        call_command("fsm_diagrams", out=str(out), check=True)
