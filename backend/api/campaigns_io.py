"""Serializers and filters of holiday deliveries and inspections (plans area)."""

from __future__ import annotations

import django_filters as df
from rest_framework import serializers

from backend.fieldwork.models import SignMethod
from workflows.deliveries.festivals import Festival
from workflows.deliveries.models import Delivery, DeliveryCampaign
from workflows.inspections.models import Finding, Inspection, InspectionKind, SampleMethod

from .fieldwork_io import ImageInput
from .filters import org_q

# --- holiday deliveries -----------------------------------------------------------------------------------


class CampaignSerializer(serializers.ModelSerializer):
    festival_label = serializers.CharField(source="get_festival_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    title = serializers.CharField(read_only=True)
    deliveries = serializers.IntegerField(source="n_deliveries", read_only=True, default=0)
    delivered = serializers.IntegerField(source="n_delivered", read_only=True, default=0)

    class Meta:
        model = DeliveryCampaign
        fields = ["id", "title", "year", "festival", "festival_label", "festival_on", "starts_on", "deliver_by",
                  "goods", "budget", "funding", "note", "state", "state_label", "deliveries", "delivered",
                  "created_at", "started_at", "closed_at"]


class CampaignInput(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, label="年度")
    festival = serializers.ChoiceField(choices=Festival.choices, label="节日")
    goods = serializers.CharField(allow_blank=True, label="慰问物资")
    budget = serializers.DecimalField(max_digits=12, decimal_places=2, label="预算（元）")
    starts_on = serializers.DateField(required=False, label="发放开始日期")
    deliver_by = serializers.DateField(required=False, label="送达截止日期", help_text="默认节日前一天")
    funding = serializers.CharField(required=False, allow_blank=True, default="", label="资金来源")
    note = serializers.CharField(required=False, allow_blank=True, default="", label="说明")


class YearQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=1901, max_value=2099, label="年度")


class DeliverySerializer(serializers.ModelSerializer):
    campaign_title = serializers.CharField(source="campaign.title", read_only=True)
    festival_on = serializers.DateField(source="campaign.festival_on", read_only=True)
    deliver_by = serializers.DateField(source="campaign.deliver_by", read_only=True)
    household_name = serializers.CharField(source="household.head_name", read_only=True)
    village = serializers.CharField(source="household.village.name", read_only=True)
    town = serializers.IntegerField(source="household.village.town_id", read_only=True)
    helper_name = serializers.CharField(source="helper.name", read_only=True)
    receipt_sign_label = serializers.CharField(source="get_receipt_sign_method_display", read_only=True)
    receipt_url = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = ["id", "campaign", "campaign_title", "festival_on", "deliver_by", "pairing", "household",
                  "household_name", "village", "town", "helper", "helper_name", "delivered_on", "goods", "late",
                  "receipt_sign_method", "receipt_sign_label", "receipt_signer_name", "witness_name", "witness_role",
                  "receipt_url", "note", "entered_at"]

    def get_receipt_url(self, obj) -> str | None:
        return f"/api/v1/deliveries/{obj.pk}/receipt/" if obj.delivered_on else None


class CompleteInput(serializers.Serializer):
    delivered_on = serializers.DateField(label="送达日期")
    goods = serializers.CharField(required=False, allow_blank=True, default="", max_length=200, label="送达物资",
                                  help_text="默认为活动计划的慰问物资")
    receipt_sign_method = serializers.ChoiceField(choices=SignMethod.choices, required=False, allow_blank=True,
                                                  default="", label="签收方式")
    receipt_signer_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=40,
                                                label="签收人")
    receipt_signature = ImageInput(required=False, label="签收签字、手印或印章图像")
    witness_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=40,
                                         label="见证人姓名")
    witness_role = serializers.CharField(required=False, allow_blank=True, default="", max_length=40,
                                         label="见证人身份")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500, label="备注")


class DeliveryFilter(df.FilterSet):
    town = df.CharFilter(method="filter_town", label="镇街（代码或ID）")
    delivered = df.BooleanFilter(field_name="delivered_on", lookup_expr="isnull", exclude=True, label="已送达")

    class Meta:
        model = Delivery
        fields = ["campaign", "household", "helper", "late", "town", "delivered"]

    def filter_town(self, queryset, name, value):
        return queryset.filter(org_q("household__village__town", value))


# --- inspections ------------------------------------------------------------------------------------------


class InspectionSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    method_label = serializers.CharField(source="get_method_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    recorded = serializers.IntegerField(source="n_recorded", read_only=True, default=0)

    class Meta:
        model = Inspection
        fields = ["id", "kind", "kind_label", "title", "planned_on", "conducted_on", "method", "method_label", "seed",
                  "sample_size", "population", "towns", "units", "state", "state_label", "recorded", "note",
                  "summary", "created_at", "closed_at"]


class InspectionInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=InspectionKind.choices, label="方式")
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=100, label="名称")
    planned_on = serializers.DateField(label="计划日期")
    method = serializers.ChoiceField(choices=SampleMethod.choices, label="抽样方式")
    sample_size = serializers.IntegerField(required=False, allow_null=True, default=None, label="抽样户数")
    seed = serializers.IntegerField(required=False, allow_null=True, default=None, label="随机种子",
                                    help_text="不填则随机生成并记录；填写相同种子可复现样本")
    towns = serializers.ListField(child=serializers.IntegerField(), required=False, default=list, label="限定镇街")
    units = serializers.ListField(child=serializers.IntegerField(), required=False, default=list,
                                  label="限定部门单位")
    households = serializers.ListField(child=serializers.IntegerField(), required=False, default=list,
                                       label="指定贫困户")
    note = serializers.CharField(required=False, allow_blank=True, default="", label="说明")


class FindingSerializer(serializers.ModelSerializer):
    household_name = serializers.CharField(source="household.head_name", read_only=True)
    village = serializers.CharField(source="household.village.name", read_only=True)
    town_name = serializers.CharField(source="town.name", read_only=True)
    helper_name = serializers.CharField(source="helper.name", read_only=True, default="")
    unit_name = serializers.CharField(source="unit.name", read_only=True, default="")
    satisfaction_label = serializers.CharField(source="get_satisfaction_display", read_only=True)
    household_feedback = serializers.SerializerMethodField(
        help_text="该户通过责任卡二维码页面的反馈：确认/否认走访次数、各满意度次数、最近一次满意度")

    class Meta:
        model = Finding
        fields = ["id", "order", "household", "household_name", "village", "town", "town_name", "pairing", "helper",
                  "helper_name", "unit", "unit_name", "contacted", "helper_in_place", "visits_confirmed",
                  "knows_helper_name", "satisfaction", "satisfaction_label", "notes", "recorded_at",
                  "household_feedback"]

    def get_household_feedback(self, obj) -> dict | None:
        return self.context.get("feedback", {}).get(obj.pairing_id)


class FindingInput(serializers.Serializer):
    contacted = serializers.BooleanField(allow_null=True, label="已联系到贫困户")
    helper_in_place = serializers.BooleanField(required=False, allow_null=True, default=None, label="帮扶责任人到位")
    visits_confirmed = serializers.BooleanField(required=False, allow_null=True, default=None,
                                                label="贫困户确认有走访")
    knows_helper_name = serializers.BooleanField(required=False, allow_null=True, default=None,
                                                 label="知道帮扶责任人姓名")
    satisfaction = serializers.CharField(required=False, allow_blank=True, default="", label="满意度",
                                         help_text="satisfied / basically_satisfied / dissatisfied")
    notes = serializers.CharField(required=False, allow_blank=True, default="", label="情况记录")


class ConductInput(serializers.Serializer):
    on = serializers.DateField(required=False, label="检查完成日期")
    reason = serializers.CharField(required=False, allow_blank=True, default="", label="说明")


class CloseInput(serializers.Serializer):
    summary = serializers.CharField(allow_blank=True, label="检查结论")
    reason = serializers.CharField(required=False, allow_blank=True, default="", label="说明")


class InspectionFilter(df.FilterSet):
    class Meta:
        model = Inspection
        fields = ["kind", "state", "method"]


class FindingFilter(df.FilterSet):
    town = df.CharFilter(method="filter_town", label="镇街（代码或ID）")
    unit = df.CharFilter(method="filter_unit", label="部门单位（代码或ID）")

    class Meta:
        model = Finding
        fields = ["satisfaction", "contacted", "helper_in_place", "visits_confirmed", "knows_helper_name"]

    def filter_town(self, queryset, name, value):
        return queryset.filter(org_q("town", value))

    def filter_unit(self, queryset, name, value):
        return queryset.filter(org_q("unit", value))
