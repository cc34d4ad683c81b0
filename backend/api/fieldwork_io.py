"""Serializers and filters of the fieldwork API: parse visit and call input (JSON or multipart; images as
files or canvas data URLs) and present records without image bytes."""

from __future__ import annotations

import base64
import binascii
import re

import django_filters as df
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.fieldwork.codes import item_labels
from backend.fieldwork.models import (
    FeedbackKind,
    HelperRole,
    HouseholdFeedback,
    Satisfaction,
    SignMethod,
    Visit,
    VisitEdit,
    VisitImage,
)

from .filters import org_q

_DATA_URL = re.compile(r"^data:(?P<type>[\w/+.-]+)?(;[\w=-]+)*;base64,(?P<data>.*)$", re.S)


@extend_schema_field({"type": "string", "format": "binary",
                      "description": "图片文件（multipart），或 data:image/png;base64,… 形式的数据"})
class ImageInput(serializers.Field):
    """An uploaded file, or a base64 data URL as a signature pad's canvas gives it; returns the bytes."""

    default_error_messages = {"invalid": "图片数据无法读取，请上传图片文件或data:image/...;base64格式的数据。"}

    def to_internal_value(self, data) -> bytes:
        if hasattr(data, "read"):
            return data.read()
        if isinstance(data, str):
            match = _DATA_URL.match(data.strip())
            payload = match.group("data") if match else data.strip()
            try:
                return base64.b64decode(payload, validate=True)
            except (binascii.Error, ValueError):
                pass
        self.fail("invalid")

    def to_representation(self, value):
        return None


class VisitInputSerializer(serializers.Serializer):
    pairing = serializers.IntegerField(label="结对")
    role = serializers.ChoiceField(choices=HelperRole.choices, required=False, label="责任人类别",
                                   help_text="帮扶责任人本人录入时可省略；镇街扶贫办代录时必填")
    occurred_on = serializers.DateField(label="日期")
    occurred_at = serializers.DateTimeField(required=False, allow_null=True, label="时间")
    items = serializers.ListField(child=serializers.CharField(max_length=10), required=False, default=list,
                                  label="帮扶事项", help_text="visit_item 代码表中的代码")
    people_met = serializers.CharField(required=False, allow_blank=True, default="", label="接待人")
    summary = serializers.CharField(required=False, allow_blank=True, default="", label="帮扶实录")
    problems_raised = serializers.CharField(required=False, allow_blank=True, default="", label="反映的问题")
    problems_solved = serializers.CharField(required=False, allow_blank=True, default="", label="解决的问题")
    follow_up = serializers.CharField(required=False, allow_blank=True, default="", label="后续安排")
    helper_signature = ImageInput(required=False, label="帮扶责任人签字图像")
    household_sign_method = serializers.ChoiceField(choices=SignMethod.choices, required=False, allow_blank=True,
                                                    default="", label="贫困户确认方式")
    household_signer_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=40,
                                                  label="签字（按手印、盖章）人")
    household_signature = ImageInput(required=False, label="贫困户签字、手印、印章或见证人签字图像")
    witness_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=40,
                                         label="公证人或见证人姓名")
    witness_role = serializers.CharField(required=False, allow_blank=True, default="", max_length=40,
                                         label="公证人或见证人身份")
    photos = serializers.ListField(child=ImageInput(), required=False, default=list, label="照片（可选）")
    keep_location = serializers.BooleanField(required=False, default=False, label="保留照片位置信息")
    reason = serializers.CharField(required=False, allow_blank=True, default="", label="补录理由")


class VisitEditSerializer(serializers.Serializer):
    occurred_on = serializers.DateField(required=False, label="日期")
    occurred_at = serializers.DateTimeField(required=False, allow_null=True, label="时间")
    items = serializers.ListField(child=serializers.CharField(max_length=10), required=False, label="帮扶事项")
    people_met = serializers.CharField(required=False, allow_blank=True, label="接待人")
    summary = serializers.CharField(required=False, allow_blank=True, label="帮扶实录")
    problems_raised = serializers.CharField(required=False, allow_blank=True, label="反映的问题")
    problems_solved = serializers.CharField(required=False, allow_blank=True, label="解决的问题")
    follow_up = serializers.CharField(required=False, allow_blank=True, label="后续安排")
    reason = serializers.CharField(required=False, allow_blank=True, label="修改理由")


class ReasonRequired(serializers.Serializer):
    reason = serializers.CharField(max_length=500, label="理由",
                                   error_messages={"required": "请填写理由。", "blank": "请填写理由。"})


class ReasonOptional(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, label="说明")


class PhotoUploadSerializer(serializers.Serializer):
    photos = serializers.ListField(child=ImageInput(), allow_empty=False, label="照片")
    keep_location = serializers.BooleanField(required=False, default=False, label="保留照片位置信息")
    reason = serializers.CharField(required=False, allow_blank=True, default="", label="补录理由")


def image_meta_prefetch() -> Prefetch:
    """Images without their bytes: lists must not load photos."""
    return Prefetch("images", queryset=VisitImage.objects.defer("data").order_by("kind", "id"))


class ImageMetaSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = VisitImage
        fields = ["id", "kind", "content_type", "size", "width", "height", "keeps_location", "url"]

    def get_url(self, obj) -> str:
        base = "calls" if obj.visit.channel == "phone" else "visits"
        return f"/api/v1/{base}/{obj.visit_id}/images/{obj.pk}/"


class VisitSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="pairing.household_id", read_only=True)
    household_name = serializers.CharField(source="pairing.household.head_name", read_only=True)
    helper_name = serializers.CharField(source="helper.name", read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    item_labels = serializers.SerializerMethodField()
    household_sign_label = serializers.CharField(source="get_household_sign_method_display", read_only=True)
    images = ImageMetaSerializer(many=True, read_only=True)
    entered_by = serializers.CharField(source="entered_by.username", read_only=True, default="")
    voided_by = serializers.CharField(source="voided_by.username", read_only=True, default="")
    confirmed_by_name = serializers.CharField(source="confirmed_by.name", read_only=True, default="")

    class Meta:
        model = Visit
        fields = ["id", "pairing", "household", "household_name", "helper", "helper_name", "role", "role_label",
                  "channel", "channel_label", "occurred_on", "occurred_at", "items", "item_labels", "people_met",
                  "summary", "problems_raised", "problems_solved", "follow_up", "household_sign_method",
                  "household_sign_label", "household_signer_name", "witness_name", "witness_role", "images",
                  "entered_by", "entered_at", "late_entry", "confirmed_by", "confirmed_by_name", "confirmed_at",
                  "voided", "voided_by", "voided_at", "void_reason", "updated_at"]

    def get_item_labels(self, obj) -> list[str]:
        if "item_labels" not in self.context:  # one code-table read per response
            self.context["item_labels"] = item_labels()
        return [self.context["item_labels"].get(c, c) for c in obj.items]


class VisitEditLogSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = VisitEdit
        fields = ["id", "action", "action_label", "actor_label", "late", "reason", "changes", "at"]


class HouseholdFeedbackSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    satisfaction_label = serializers.CharField(source="get_satisfaction_display", read_only=True)
    household = serializers.IntegerField(source="pairing.household_id", read_only=True)
    town = serializers.IntegerField(source="pairing.household.village.town_id", read_only=True)
    visit_on = serializers.DateField(source="visit.occurred_on", read_only=True, default=None)

    class Meta:
        model = HouseholdFeedback
        fields = ["id", "pairing", "household", "town", "visit", "visit_on", "kind", "kind_label", "satisfaction",
                  "satisfaction_label", "note", "submitted_at", "changed_at"]


class VisitFilter(df.FilterSet):
    town = df.CharFilter(method="filter_town", label="镇街（代码或ID）")
    unit = df.CharFilter(method="filter_unit", label="帮扶责任人单位（代码或ID）")
    household = df.NumberFilter(field_name="pairing__household", label="贫困户")
    date_from = df.DateFilter(field_name="occurred_on", lookup_expr="gte", label="起始日期")
    date_to = df.DateFilter(field_name="occurred_on", lookup_expr="lte", label="截止日期")
    confirmed = df.BooleanFilter(field_name="confirmed_by", lookup_expr="isnull", exclude=True,
                                 label="已由第二帮扶责任人确认")

    class Meta:
        model = Visit
        fields = ["pairing", "household", "helper", "role", "voided", "late_entry", "town", "unit"]

    def filter_town(self, queryset, name, value):
        return queryset.filter(org_q("pairing__household__village__town", value))

    def filter_unit(self, queryset, name, value):
        return queryset.filter(org_q("helper__organisation", value))


class FeedbackFilter(df.FilterSet):
    town = df.CharFilter(method="filter_town", label="镇街（代码或ID）")
    kind = df.ChoiceFilter(choices=FeedbackKind.choices, label="类别")
    satisfaction = df.ChoiceFilter(choices=Satisfaction.choices, label="满意度")
    date_from = df.DateFilter(field_name="changed_at", lookup_expr="date__gte", label="起始日期")
    date_to = df.DateFilter(field_name="changed_at", lookup_expr="date__lte", label="截止日期")

    class Meta:
        model = HouseholdFeedback
        fields = ["pairing", "visit", "kind", "satisfaction", "town"]

    def filter_town(self, queryset, name, value):
        return queryset.filter(org_q("pairing__household__village__town", value))
