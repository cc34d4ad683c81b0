"""Presentation of records. Personal data leaves only masked (SPEC §8); the reveal action is separate."""

from __future__ import annotations

from rest_framework import serializers

from backend.common.masking import mask_id, mask_phone
from backend.directory.models import Organisation, Person, TownContact, UnitQuota, Village
from backend.households.codes import labels
from backend.households.models import Household, Member
from backend.tenancy.models import Policy
from workflows.pairings.models import Pairing


class MaskedPhoneField(serializers.CharField):
    def to_representation(self, value):
        return mask_phone(value)


class MaskedIdField(serializers.CharField):
    def to_representation(self, value):
        return mask_id(value)


class PolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = Policy
        exclude = ["tenant"]


class TownContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = TownContact
        fields = ["name", "position", "office_phone", "mobile"]


class TownSerializer(serializers.ModelSerializer):
    contacts = TownContactSerializer(many=True, read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "code", "name", "short_name", "contacts"]


class VillageSerializer(serializers.ModelSerializer):
    town_name = serializers.CharField(source="town.name", read_only=True)

    class Meta:
        model = Village
        fields = ["id", "code", "name", "town", "town_name"]


class QuotaSerializer(serializers.ModelSerializer):
    town_code = serializers.CharField(source="town.code", read_only=True)
    town_name = serializers.CharField(source="town.name", read_only=True)

    class Meta:
        model = UnitQuota
        fields = ["town", "town_code", "town_name", "count"]


class UnitSerializer(serializers.ModelSerializer):
    quotas = QuotaSerializer(many=True, read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "code", "name", "short_name", "unit_kind", "quotas"]


class PersonSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    phone = MaskedPhoneField(read_only=True)

    class Meta:
        model = Person
        fields = ["id", "name", "organisation", "organisation_name", "village", "position", "phone",
                  "party_member", "reserve_cadre", "helper_category", "active"]


class MemberSerializer(serializers.ModelSerializer):
    id_number = MaskedIdField(read_only=True)
    phone = MaskedPhoneField(read_only=True)

    class Meta:
        model = Member
        fields = ["id", "name", "relation", "id_type", "id_number", "sex", "health", "labour", "education",
                  "school_status", "phone"]


class MemberInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=40, label="姓名")
    relation = serializers.CharField(max_length=2, label="与户主关系")
    id_type = serializers.CharField(max_length=2, required=False, default="01", label="证件类型")
    id_number = serializers.CharField(max_length=30, label="证件号码")
    sex = serializers.CharField(max_length=2, label="性别")
    health = serializers.ListField(child=serializers.CharField(max_length=2), label="健康状况")
    labour = serializers.CharField(max_length=2, label="劳动技能")
    education = serializers.CharField(max_length=2, required=False, allow_blank=True, label="文化程度")
    school_status = serializers.CharField(max_length=2, required=False, allow_blank=True, label="在校生状况")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, label="联系电话")


class HouseholdSerializer(serializers.ModelSerializer):
    village_name = serializers.CharField(source="village.name", read_only=True)
    town = serializers.IntegerField(source="village.town_id", read_only=True)
    town_name = serializers.CharField(source="village.town.name", read_only=True)
    phone = MaskedPhoneField(read_only=True)
    status_label = serializers.SerializerMethodField()
    members = MemberSerializer(many=True, read_only=True)

    class Meta:
        model = Household
        fields = ["id", "code", "village", "village_name", "town", "town_name", "address", "head_name", "phone",
                  "size", "status", "status_label", "attribute", "standard", "main_cause", "other_causes",
                  "identified_year", "exited_year", "deregistered_on", "members"]

    def get_status_label(self, obj) -> str:
        # One code-table read per response, shared by every row of a list.
        if "status_labels" not in self.context:
            self.context["status_labels"] = labels("status")
        return self.context["status_labels"].get(obj.status, obj.status)


class HouseholdListSerializer(HouseholdSerializer):
    class Meta(HouseholdSerializer.Meta):
        fields = [f for f in HouseholdSerializer.Meta.fields if f != "members"]


class HouseholdInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=30, label="户编号")
    village = serializers.IntegerField(label="村")
    address = serializers.CharField(max_length=100, required=False, allow_blank=True, label="详细地址")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, label="联系电话")
    bank_account = serializers.CharField(max_length=40, required=False, allow_blank=True, label="银行账号")
    status = serializers.CharField(max_length=2, label="脱贫状态")
    attribute = serializers.CharField(max_length=2, label="贫困户属性")
    standard = serializers.CharField(max_length=2, required=False, default="02", label="识别标准")
    main_cause = serializers.CharField(max_length=4, label="主要致贫原因")
    other_causes = serializers.ListField(child=serializers.CharField(max_length=4), required=False, default=list,
                                         label="其他致贫原因")
    identified_year = serializers.IntegerField(label="识别年度")
    exited_year = serializers.IntegerField(required=False, allow_null=True, label="脱贫年度")
    members = MemberInputSerializer(many=True, label="家庭成员")


class PairingSerializer(serializers.ModelSerializer):
    household_name = serializers.CharField(source="household.head_name", read_only=True)
    first_helper_name = serializers.CharField(source="first_helper.name", read_only=True)
    second_helper_name = serializers.CharField(source="second_helper.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Pairing
        fields = ["id", "household", "household_name", "first_helper", "first_helper_name", "second_helper",
                  "second_helper_name", "state", "state_label", "proposed_on", "met_on", "late", "term_end",
                  "ended_on", "end_reason"]
        read_only_fields = ["state", "met_on", "late", "term_end", "ended_on", "end_reason"]


class PairingInputSerializer(serializers.Serializer):
    household = serializers.IntegerField(label="贫困户")
    first_helper = serializers.IntegerField(label="第一帮扶责任人")
    second_helper = serializers.IntegerField(label="第二帮扶责任人")
    proposed_on = serializers.DateField(required=False, label="结对日期")
    reason = serializers.CharField(required=False, allow_blank=True, label="说明")


class ActivateSerializer(serializers.Serializer):
    met_on = serializers.DateField(label="首次入户见面日期")
    reason = serializers.CharField(required=False, allow_blank=True, label="说明")


class EndSerializer(serializers.Serializer):
    on = serializers.DateField(label="结束日期")
    end_reason = serializers.CharField(label="结束原因")
    reason = serializers.CharField(required=False, allow_blank=True, label="说明")


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    tenant = serializers.DictField()
    organisation = serializers.DictField()
    roles = serializers.ListField(child=serializers.CharField())
    person = serializers.IntegerField(allow_null=True)
    can_reveal_personal_data = serializers.BooleanField()
