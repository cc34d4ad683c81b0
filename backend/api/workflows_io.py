"""Serializers and filters of the workflows API: rosters, replacements, quarterly reports, escalations,
misses and the transition log. Phones leave masked (SPEC §8)."""

from __future__ import annotations

import django_filters as df
from rest_framework import serializers

from workflows.accountability.models import Escalation, EscalationLevel, Miss
from workflows.core.models import TransitionLog
from workflows.replacements.models import HelperSide, Replacement, ReplacementReason
from workflows.reporting.models import Attestation, QuarterlyReport, ReportLine
from workflows.rosters.models import Roster, RosterEntry

from .filters import TownFilterMixin, org_q
from .serializers import MaskedPhoneField


class StateLabelMixin(serializers.Serializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)


# -- transitions input ---------------------------------------------------------------------------------

class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000, label="理由")


class RequiredReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, label="理由")


# -- rosters ---------------------------------------------------------------------------------------------

class RosterEntrySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name", read_only=True)
    phone = MaskedPhoneField(read_only=True)

    class Meta:
        model = RosterEntry
        fields = ["id", "person", "name", "position", "phone"]


class RosterSerializer(StateLabelMixin, serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    town_name = serializers.CharField(source="town.name", read_only=True)
    quota = serializers.SerializerMethodField()
    entries = RosterEntrySerializer(many=True, read_only=True)

    class Meta:
        model = Roster
        fields = ["id", "unit", "unit_name", "town", "town_name", "year", "cutoff", "quota", "state", "state_label",
                  "submitted_at", "late", "decided_at", "return_reason", "entries"]

    def get_quota(self, obj) -> int:
        return next((q.count for q in obj.unit.quotas.all() if q.town_id == obj.town_id), 0)


class RosterInput(serializers.Serializer):
    town = serializers.IntegerField(label="镇街")
    unit = serializers.IntegerField(required=False, label="部门单位", help_text="联络员可省略：默认本单位")


class EntryInput(serializers.Serializer):
    person = serializers.IntegerField(label="人员")
    position = serializers.CharField(required=False, allow_blank=True, default="", max_length=60, label="职务")
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=20, label="联系电话")


class EntriesInput(serializers.Serializer):
    entries = EntryInput(many=True, label="第一帮扶责任人")


class RosterFilter(TownFilterMixin, df.FilterSet):
    town_path = "town"
    town = df.CharFilter(method="filter_town", label="镇街（代码或ID）")
    unit = df.CharFilter(method="filter_unit", label="部门单位（代码或ID）")

    class Meta:
        model = Roster
        fields = ["town", "unit", "state", "year", "late"]

    def filter_unit(self, queryset, name, value):
        return queryset.filter(org_q("unit", value))


# -- replacements ----------------------------------------------------------------------------------------

class ReplacementSerializer(StateLabelMixin, serializers.ModelSerializer):
    old_helper_name = serializers.CharField(source="old_helper.name", read_only=True)
    new_helper_name = serializers.CharField(source="new_helper.name", read_only=True)
    household = serializers.IntegerField(source="pairing.household_id", read_only=True)
    reason_label = serializers.CharField(source="get_reason_code_display", read_only=True)

    class Meta:
        model = Replacement
        fields = ["id", "pairing", "household", "side", "old_helper", "old_helper_name", "new_helper",
                  "new_helper_name", "reason_code", "reason_label", "reason", "filed_on", "effective_on", "state",
                  "state_label", "urgent", "decided_at", "decision_note", "new_pairing", "took_effect_at"]


class ReplacementInput(serializers.Serializer):
    pairing = serializers.IntegerField(label="原结对")
    side = serializers.ChoiceField(choices=HelperSide.choices, default=HelperSide.FIRST, label="更换对象")
    new_helper = serializers.IntegerField(label="新帮扶责任人")
    reason_code = serializers.ChoiceField(choices=ReplacementReason.choices, label="更换原因")
    effective_on = serializers.DateField(label="生效日期")
    reason = serializers.CharField(required=False, allow_blank=True, default="", label="情况说明")


class ReplacementFilter(TownFilterMixin, df.FilterSet):
    town_path = "pairing__household__village__town"
    town = df.CharFilter(method="filter_town", label="镇街（代码或ID）")

    class Meta:
        model = Replacement
        fields = ["town", "state", "urgent", "side", "pairing", "reason_code"]


# -- quarterly reports -----------------------------------------------------------------------------------

class ReportLineSerializer(serializers.ModelSerializer):
    household_name = serializers.CharField(source="household.head_name", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    first_helper_name = serializers.CharField(source="first_helper.name", read_only=True)
    second_helper_name = serializers.CharField(source="second_helper.name", read_only=True)

    class Meta:
        model = ReportLine
        fields = ["pairing", "household", "household_name", "village", "village_name", "first_helper",
                  "first_helper_name", "second_helper", "second_helper_name", "first_visits", "first_visit_dates",
                  "first_calls", "second_visits", "misses", "deliveries"]


class AttestationSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="second_helper.name", read_only=True)

    class Meta:
        model = Attestation
        fields = ["second_helper", "name", "note", "at"]


class QuarterlyReportSerializer(StateLabelMixin, serializers.ModelSerializer):
    town_name = serializers.CharField(source="town.name", read_only=True)
    label = serializers.CharField(read_only=True)
    reopened_villages = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = QuarterlyReport
        fields = ["id", "town", "town_name", "year", "quarter", "label", "due_on", "state", "state_label",
                  "compiled_at", "submitted_at", "late", "override_reason", "decided_at", "return_reason", "revision",
                  "reopened_villages"]


class QuarterlyReportDetailSerializer(QuarterlyReportSerializer):
    lines = ReportLineSerializer(many=True, read_only=True)
    attestations = AttestationSerializer(many=True, read_only=True)
    missing_attestations = serializers.SerializerMethodField()

    class Meta(QuarterlyReportSerializer.Meta):
        fields = [*QuarterlyReportSerializer.Meta.fields, "lines", "attestations", "missing_attestations"]

    def get_missing_attestations(self, obj) -> list[dict]:
        from workflows.reporting.services import missing_attestations

        return [{"id": p.pk, "name": p.name} for p in missing_attestations(obj)]


class ReportInput(serializers.Serializer):
    town = serializers.IntegerField(label="镇街")
    year = serializers.IntegerField(min_value=2000, max_value=2100, label="年度")
    quarter = serializers.IntegerField(min_value=1, max_value=4, label="季度")


class SubmitReportInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000,
                                   label="未全部确认即报送的理由")


class ReopenInput(serializers.Serializer):
    villages = serializers.ListField(child=serializers.IntegerField(), allow_empty=False, label="需要修改的村")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000, label="理由")


class AttestInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000, label="说明")


class ReportFilter(TownFilterMixin, df.FilterSet):
    town_path = "town"
    town = df.CharFilter(method="filter_town", label="镇街（代码或ID）")

    class Meta:
        model = QuarterlyReport
        fields = ["town", "state", "year", "quarter", "late"]


# -- escalations and misses ----------------------------------------------------------------------------

class EscalationSerializer(StateLabelMixin, serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    target_name = serializers.CharField(read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    misses = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Escalation
        fields = ["id", "level", "level_label", "year", "person", "organisation", "organisation_name",
                  "target_name", "state", "state_label", "reason", "source", "loses_award_eligibility", "misses",
                  "notice_issued_at", "interview_at", "interview_place", "interviewer", "interview_held_at",
                  "interview_notes", "closed_at", "withdrawn_at", "withdrawal_evidence", "created_at"]


class EscalationInput(serializers.Serializer):
    level = serializers.ChoiceField(choices=EscalationLevel.choices, label="问责级别")
    year = serializers.IntegerField(min_value=2000, max_value=2100, label="考核年度")
    person = serializers.IntegerField(required=False, allow_null=True, label="帮扶责任人（一、二级）")
    organisation = serializers.IntegerField(required=False, allow_null=True, label="部门单位（三级）")
    misses = serializers.ListField(child=serializers.IntegerField(), required=False, default=list,
                                   label="未履职记录")
    reason = serializers.CharField(max_length=2000, label="问责事由")


class ScheduleInput(serializers.Serializer):
    when = serializers.DateTimeField(label="约谈时间")
    where = serializers.CharField(max_length=100, label="约谈地点")
    who = serializers.CharField(max_length=100, label="约谈人")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000, label="说明")


class HoldInput(serializers.Serializer):
    notes = serializers.CharField(max_length=10000, label="约谈记录")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000, label="说明")


class EscalationFilter(df.FilterSet):
    unit = df.CharFilter(method="filter_unit", label="责任单位（代码或ID）")

    class Meta:
        model = Escalation
        fields = ["level", "year", "state", "person", "unit", "loses_award_eligibility"]

    def filter_unit(self, queryset, name, value):
        return queryset.filter(org_q("organisation", value))


class MissSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True, default="")
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, default="")
    household_name = serializers.CharField(source="household.head_name", read_only=True, default="")

    class Meta:
        model = Miss
        fields = ["id", "kind", "kind_label", "source", "source_label", "state", "state_label", "year", "pairing",
                  "person", "person_name", "role", "organisation", "organisation_name", "town", "household",
                  "household_name", "window_start", "window_end", "counts_for_ladder", "policy_version", "evidence",
                  "created_at", "withdrawn_at", "withdrawn_reason"]


class MissFilter(TownFilterMixin, df.FilterSet):
    town_path = "town"
    town = df.CharFilter(method="filter_town", label="镇街（代码或ID）")
    unit = df.CharFilter(method="filter_unit", label="责任单位（代码或ID）")
    date_from = df.DateFilter(field_name="window_end", lookup_expr="gte", label="考核期止不早于")
    date_to = df.DateFilter(field_name="window_end", lookup_expr="lte", label="考核期止不晚于")

    class Meta:
        model = Miss
        fields = ["kind", "source", "state", "year", "person", "role", "household", "pairing", "town", "unit",
                  "counts_for_ladder"]

    def filter_unit(self, queryset, name, value):
        return queryset.filter(org_q("organisation", value))


# -- the log -----------------------------------------------------------------------------------------------

class TransitionLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = TransitionLog
        fields = ["id", "transition", "from_state", "to_state", "actor", "actor_label", "reason", "data",
                  "policy_version", "at"]


class AuditQuery(serializers.Serializer):
    object_type = serializers.CharField(label="对象类型", help_text="pairings、rosters、replacements、quarterly-reports、escalations")
    object_id = serializers.IntegerField(label="对象ID")
