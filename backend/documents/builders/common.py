"""Small reads every builder shares."""

from __future__ import annotations

from backend.directory.models import Organisation, OrgKind
from backend.households.codes import labels


def office(tenant, kind: str = OrgKind.CITY_OFFICE) -> str:
    org = Organisation.objects.filter(tenant=tenant, kind=kind).order_by("code").first()
    return org.name if org else tenant.name


def town_office(town) -> str:
    """镇街扶贫办: the notice has each town compile the ledger and the attendance sheet."""
    return f"{town.name}扶贫办"


class CodeLabels:
    """Code → label for the lists a document prints, read once per document."""

    def __init__(self, *lists: str):
        self._labels = {name: labels(name) for name in lists}

    def __call__(self, list_name: str, code: str) -> str:
        return self._labels[list_name].get(code, code)

    def many(self, list_name: str, codes) -> list[str]:
        return [self(list_name, c) for c in codes if c]


def address(household) -> str:
    """家庭地址（镇街、村）."""
    return f"{household.village.town.name}{household.village.name}"
