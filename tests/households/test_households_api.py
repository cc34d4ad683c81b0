import datetime as dt

from backend.households.models import Household
from tests.factories import id_number


def payload(cast, **over):
    head_id = id_number(dt.date(1958, 3, 2), "01")
    wife_id = id_number(dt.date(1961, 7, 9), "02")
    body = {
        "code": "370683004001X01", "village": cast.village.pk, "phone": "13905351234", "status": "1",
        "attribute": "05", "main_cause": "1", "other_causes": ["2"], "identified_year": 2016,
        "members": [
            {"name": "赵大山", "relation": "01", "id_number": head_id, "sex": "01", "health": ["02"], "labour": "03",
             "education": "02"},
            {"name": "钱秀英", "relation": "02", "id_number": wife_id, "sex": "02", "health": ["01"], "labour": "01",
             "education": "01"},
        ],
    }
    body.update(over)
    return body


def test_town_office_registers_a_household_with_members(cast):
    response = cast.client("town_office").post("/api/v1/households/", payload(cast), format="json")
    assert response.status_code == 201, response.json()
    household = Household.objects.get(code="370683004001X01")
    assert household.head_name == "赵大山" and household.size == 2 and household.members.count() == 2


def test_bad_household_lists_every_problem_in_chinese(cast):
    body = payload(cast, other_causes=["2", "3", "4"], main_cause="77")
    body["members"][1]["id_number"] = body["members"][1]["id_number"][:17] + ("0" if body["members"][1]["id_number"][17] != "0" else "1")
    body["members"][1]["sex"] = "01"  # same sex as the head
    response = cast.client("town_office").post("/api/v1/households/", body, format="json")
    assert response.status_code == 400
    err = response.json()
    assert err["code"] == "validation_failed"
    assert "最多选择2项" in err["fields"]["other_causes"][0]
    assert "国家代码表" in err["fields"]["main_cause"][0]
    assert "校验位" in err["fields"]["members[1].id_number"][0]
    assert not Household.objects.filter(code="370683004001X01").exists()


def test_duplicate_id_against_the_database_is_refused(cast):
    body = payload(cast)
    body["members"][0]["id_number"] = cast.household.members.get().id_number
    response = cast.client("city_office").post("/api/v1/households/", body, format="json")
    assert response.status_code == 400
    assert "已登记在户" in response.json()["fields"]["members[0].id_number"][0]


def test_size_must_match_members_and_one_head(cast):
    body = payload(cast)
    body["members"][1]["relation"] = "01"
    response = cast.client("city_office").post("/api/v1/households/", body, format="json")
    assert "有且只有一位户主" in response.json()["fields"]["members"][0]


def test_other_town_cannot_register_in_my_village(cast, other):
    response = other.client("town_office").post("/api/v1/households/", payload(cast), format="json")
    assert response.status_code == 400 and "village" in response.json()["fields"]


def test_assessor_is_read_only(cast):
    assert cast.client("assessor").get("/api/v1/households/").status_code == 200
    assert cast.client("assessor").post("/api/v1/households/", payload(cast), format="json").status_code == 403
