"""The demo tenant: 17 towns with their division codes and the 34 附件5 contacts (A5)."""

from backend.bangfu.seed import seed
from backend.directory.models import Organisation, TownContact, UnitQuota
from backend.households.models import Household
from backend.tenancy.models import Tenant


def test_a5_seventeen_towns_and_thirty_four_contacts(db):
    seed(households=60, seed=1)
    tenant = Tenant.objects.get(code="370683")
    towns = Organisation.objects.towns().filter(tenant=tenant)
    assert towns.count() == 17
    assert towns.get(code="370683004").name == "城港路街道"
    assert TownContact.objects.filter(tenant=tenant).count() == 34
    assert {c.name for c in TownContact.objects.filter(town__code="370683004")} == {"王刚", "史越"}
    zhang = TownContact.objects.get(name="张丰刚")
    assert (zhang.town.short_name, zhang.position, zhang.office_phone, zhang.mobile) == \
        ("虎头崖", "虎头崖镇扶贫办主任", "2521360", "13963807985")
    assert TownContact.objects.get(name="王刚").office_phone == ""  # the notice says 无


def test_seed_is_deterministic_and_a_second_tenant_is_separate(db):
    seed(households=40, seed=5)
    seed(households=40, seed=5, code="370600", name="样例市")
    a = list(Household.objects.filter(tenant__code="370683").order_by("code").values_list("head_name", flat=True))
    b = list(Household.objects.filter(tenant__code="370600").order_by("code").values_list("head_name", flat=True))
    assert a == b  # same generator, same seed
    assert Organisation.objects.filter(tenant__code="370600", code="370600004").exists()
    assert not set(Household.objects.filter(tenant__code="370600").values_list("village__tenant__code", flat=True)) - {"370600"}


def test_a6_quotas_cover_every_in_scope_household(db):
    from backend.tenancy.models import Policy

    seed(households=200, seed=3)
    tenant = Tenant.objects.get(code="370683")
    policy = Policy.current(tenant)
    in_scope = Household.objects.filter(tenant=tenant).in_scope(policy, 2018).count()
    assert sum(UnitQuota.objects.filter(tenant=tenant).values_list("count", flat=True)) == in_scope
