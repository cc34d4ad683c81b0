"""The public village disclosure (村级公示, S12): who helps which household, for public supervision.

No login. Only the whitelisted fields of SPEC §8 are read and shown: head's name (masked, since this copy is
online), village, household size, status, causes, helper name and unit, help plan headline.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from backend.common.masking import mask_name
from backend.directory.models import Village
from backend.households.codes import labels
from backend.tenancy.models import Tenant
from workflows.pairings.models import Pairing
from workflows.plans import selectors as plan_selectors


@require_safe
def village_disclosure(request, tenant_code: str, village_code: str):
    tenant = Tenant.objects.filter(code=tenant_code).first()
    village = (Village.objects.for_tenant(tenant).select_related("town").filter(code=village_code).first()
               if tenant else None)
    if village is None:
        raise Http404
    pairings = list(Pairing.objects.for_tenant(tenant).open().filter(household__village=village)
                    .select_related("household", "first_helper__organisation", "second_helper__organisation")
                    .order_by("household__code"))
    statuses, causes = labels("status"), labels("cause")
    headlines = plan_selectors.headlines(p.household_id for p in pairings)
    rows = [{
        "head": mask_name(p.household.head_name), "size": p.household.size,
        "status": statuses.get(p.household.status, p.household.status),
        "causes": "、".join(causes.get(c, c) for c in p.household.causes),
        "first": p.first_helper.name, "first_unit": p.first_helper.organisation.name,
        "second": p.second_helper.name, "second_unit": p.second_helper.organisation.name,
        "plan": headlines.get(p.household_id, ""),
    } for p in pairings]
    return render(request, "web/disclosure.html", {"tenant": tenant, "village": village, "rows": rows})
