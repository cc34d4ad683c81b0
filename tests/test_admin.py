"""Issue 2: Django admin for all models — scoped to the operator's tenant, personal data kept out."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client

from backend.households.models import Member

OURS = ("tenancy", "directory", "households", "fieldwork", "documents", "notifications", "rosters", "pairings",
        "replacements", "reporting", "accountability", "engine", "plans", "income", "deliveries", "inspections",
        "workflow_core", "web")


def _admin_of(model):
    """The registered admin that shows a model, directly or as an inline of its parent."""
    if model in admin.site._registry:
        return admin.site._registry[model]
    for parent_admin in admin.site._registry.values():
        if any(inline.model is model for inline in parent_admin.inlines):
            return parent_admin
    return None


def test_every_model_of_ours_is_in_the_admin():
    models = [m for m in apps.get_models() if m._meta.app_label in OURS]
    assert len(models) > 40
    missing = [m._meta.label for m in models if _admin_of(m) is None]
    assert missing == []


@pytest.mark.django_db
def test_an_operator_opens_every_list_of_its_tenant_only(cast, other):
    client = Client()
    client.force_login(cast.users["operator"])
    for model in admin.site._registry:
        if model._meta.app_label not in OURS:
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert client.get(url).status_code == 200, url
    households = client.get("/admin/households/household/").content.decode()
    assert cast.household.code in households and other.household.code not in households
    assert client.get(f"/admin/households/household/{other.household.pk}/change/").status_code == 302  # not found


@pytest.mark.django_db
def test_members_show_in_their_household_without_id_numbers(cast):
    member = Member.objects.get(household=cast.household)
    client = Client()
    client.force_login(cast.users["operator"])
    page = client.get(f"/admin/households/household/{cast.household.pk}/change/").content.decode()
    assert member.name in page
    assert member.id_number not in page and member.id_number[-4:] + "<" not in page
    # Records that only services write cannot be added or changed here.
    assert client.get("/admin/documents/documentjob/add/").status_code == 403


@pytest.mark.django_db
def test_an_operator_is_no_superuser_and_its_forms_offer_its_own_tenant_only(cast, other):
    user = cast.users["operator"]
    assert user.is_staff and not user.is_superuser
    client = Client()
    client.force_login(user)
    page = client.get("/admin/tenancy/membership/add/").content.decode()
    assert "莱州市（370683）" in page and "另一市" not in page
    assert f">{cast.users['unit_liaison'].username}<" in page
    assert f">{other.users['unit_liaison'].username}<" not in page
    assert client.get("/admin/tenancy/tenant/").content.decode().count("/change/") == 1
    assert client.get(f"/admin/tenancy/tenant/{other.tenant.pk}/change/").status_code == 302
    # Shared national data: readable, not writable by one county.
    assert client.get("/admin/households/code/").status_code == 200
    assert client.get("/admin/households/code/add/").status_code == 403
    # Other roles of the tenant do not get into the admin at all.
    helper = Client()
    helper.force_login(cast.users["city_office"])
    assert helper.get("/admin/households/household/").status_code in (302, 403)
