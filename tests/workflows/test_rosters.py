"""S10 rosters: the unit submits its first helpers per town against its A6 quota; the town accepts or returns;
acceptance makes them available as first helpers."""

from collections import Counter

from workflows.pairings.models import Pairing
from workflows.rosters.models import RosterEntry


def test_s10_seeded_first_helpers_come_from_accepted_rosters(db):
    from backend.bangfu.seed import seed
    from backend.directory.models import UnitQuota

    stats = seed(households=300, seed=7)
    accepted = set(RosterEntry.objects.filter(roster__state="accepted").values_list("person_id", "roster__town_id"))
    pairs = set(Pairing.objects.values_list("first_helper_id", "household__village__town_id"))
    assert pairs and pairs <= accepted
    per_roster = Counter(RosterEntry.objects.values_list("roster__unit_id", "roster__town_id"))
    assert per_roster == {(q.unit_id, q.town_id): q.count for q in UnitQuota.objects.all()}
    assert stats.extra["rosters"] == len(per_roster)
