"""Serializers and filters of help plans and income statements (plans area)."""

from __future__ import annotations

from decimal import Decimal

import django_filters as df
from rest_framework import serializers

from backend.households.codes import labels
from workflows.income.models import IncomeCategory, IncomeLine, IncomeStatement, PovertyLine
from workflows.plans.models import MEASURE_LIST, HelpPlan, PlanItem

from .filters import org_q

# --- help plans -------------------------------------------------------------------------------------------


class PlanItemSerializer(serializers.ModelSerializer):
    measure_label = serializers.SerializerMethodField()

    class Meta:
        model = PlanItem
        fields = ["order", "measure", "measure_label", "content", "responsible", "expected_benefit",
                  "expected_amount", "starts_on", "ends_on"]

    def get_measure_label(self, obj) -> str:
        root = self.root
        if "measures" not in root.context:  # one code-table read per response
            root.context["measures"] = labels(MEASURE_LIST)
        return root.context["measures"].get(obj.measure, obj.measure)


class HelpPlanSerializer(serializers.ModelSerializer):
    household_name = serializers.CharField(source="household.head_name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    revises_version = serializers.IntegerField(source="revises.version", read_only=True, default=None)
    items = PlanItemSerializer(many=True, read_only=True)

    class Meta:
        model = HelpPlan
        fields = ["id", "pairing", "household", "household_name", "version", "state", "state_label", "headline",
                  "goal", "revises", "revises_version", "published_on", "revised_on", "created_at", "updated_at",
                  "items"]


class PlanItemInput(serializers.Serializer):
    # Loose on purpose: the service checks every item and names the bad one in Chinese.
    measure = serializers.CharField(required=False, allow_blank=True, default="", label="措施类别")
    content = serializers.CharField(required=False, allow_blank=True, default="", label="具体措施")
    responsible = serializers.CharField(required=False, allow_blank=True, default="", label="责任单位或责任人")
    expected_benefit = serializers.CharField(required=False, allow_blank=True, default="", label="预期成效")
    expected_amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True,
                                               default=None, label="预期增收（元/年）")
    starts_on = serializers.DateField(required=False, allow_null=True, default=None, label="开始日期")
    ends_on = serializers.DateField(required=False, allow_null=True, default=None, label="完成日期")


class HelpPlanInput(serializers.Serializer):
    pairing = serializers.IntegerField(label="结对")
    headline = serializers.CharField(required=False, allow_blank=True, default="", label="帮扶计划概要")
    goal = serializers.CharField(required=False, allow_blank=True, default="", label="帮扶目标")
    items = PlanItemInput(many=True, label="帮扶措施")
    reason = serializers.CharField(required=False, allow_blank=True, default="", label="说明")


class HelpPlanEdit(serializers.Serializer):
    headline = serializers.CharField(required=False, allow_blank=True, label="帮扶计划概要")
    goal = serializers.CharField(required=False, allow_blank=True, label="帮扶目标")
    items = PlanItemInput(many=True, required=False, label="帮扶措施")


class PublishInput(serializers.Serializer):
    on = serializers.DateField(required=False, label="公布日期")
    reason = serializers.CharField(required=False, allow_blank=True, default="", label="说明")


class HelpPlanFilter(df.FilterSet):
    town = df.CharFilter(method="filter_town", label="镇街（代码或ID）")

    class Meta:
        model = HelpPlan
        fields = ["pairing", "household", "state", "town"]

    def filter_town(self, queryset, name, value):
        return queryset.filter(org_q("household__village__town", value))


# --- income statements ------------------------------------------------------------------------------------


class IncomeLineSerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = IncomeLine
        fields = ["year", "code", "category", "category_label", "label", "order", "counts_toward_net", "note"]


class PovertyLineSerializer(serializers.ModelSerializer):
    standard_label = serializers.SerializerMethodField()

    class Meta:
        model = PovertyLine
        fields = ["year", "standard", "standard_label", "amount", "source", "verified"]

    def get_standard_label(self, obj) -> str:
        return labels("standard").get(obj.standard, obj.standard)


class StatementListSerializer(serializers.ModelSerializer):
    household_name = serializers.CharField(source="household.head_name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    verified_by_name = serializers.CharField(source="verified_by.name", read_only=True, default="")
    poverty_line_amount = serializers.DecimalField(source="poverty_line.amount", max_digits=12, decimal_places=2,
                                                   read_only=True, default=None)

    class Meta:
        model = IncomeStatement
        fields = ["id", "household", "household_name", "pairing", "year", "state", "state_label", "household_size",
                  "gross", "expenses", "net", "per_capita", "below_line", "poverty_line_amount", "last_per_capita",
                  "change_ratio", "big_change", "missing_lines", "verified_by", "verified_by_name", "verified_at",
                  "distributed_on", "return_reason", "note", "created_at", "updated_at"]


class StatementSerializer(StatementListSerializer):
    """The full table (附件2): every line of the year with its amount, category totals, flags."""

    lines = serializers.SerializerMethodField()
    categories = serializers.SerializerMethodField()
    poverty_line = PovertyLineSerializer(read_only=True)

    class Meta(StatementListSerializer.Meta):
        fields = [*StatementListSerializer.Meta.fields, "poverty_line", "lines", "categories"]

    def _lines(self, obj) -> list[IncomeLine]:
        cache = self.root.context.setdefault("income_lines", {})
        if (obj.tenant_id, obj.year) not in cache:
            cache[obj.tenant_id, obj.year] = list(IncomeLine.objects.filter(tenant_id=obj.tenant_id, year=obj.year))
        return cache[obj.tenant_id, obj.year]

    def get_lines(self, obj) -> list[dict]:
        amounts = {a.line_id: a.amount for a in obj.amounts.all()}
        return [{**IncomeLineSerializer(line).data, "amount": f"{amounts.get(line.pk, 0):.2f}"}
                for line in self._lines(obj)]

    def get_categories(self, obj) -> list[dict]:
        """Each category's total as the form prints it (A … F)."""
        totals = {c.value: Decimal("0") for c in IncomeCategory}
        for a in obj.amounts.all():
            totals[a.line.category] += a.amount
        return [{"category": c.value, "label": c.label, "total": f"{totals[c.value]:.2f}"} for c in IncomeCategory]


class StatementInput(serializers.Serializer):
    household = serializers.IntegerField(label="贫困户")
    year = serializers.IntegerField(label="年度")
    amounts = serializers.DictField(child=serializers.CharField(allow_blank=True, allow_null=True), label="金额",
                                    help_text="项目代码 → 金额（元），如 {\"E1\": \"1200.00\"}")
    note = serializers.CharField(required=False, allow_blank=True, default="", label="备注")
    reason = serializers.CharField(required=False, allow_blank=True, default="", label="说明")


class StatementEdit(serializers.Serializer):
    amounts = serializers.DictField(child=serializers.CharField(allow_blank=True, allow_null=True), label="金额")
    household_size = serializers.IntegerField(required=False, label="家庭人口数")
    note = serializers.CharField(required=False, allow_blank=True, label="备注")
    reason = serializers.CharField(required=False, allow_blank=True, default="", label="说明")


class DistributeInput(serializers.Serializer):
    on = serializers.DateField(required=False, label="发放日期")
    reason = serializers.CharField(required=False, allow_blank=True, default="", label="说明")


class StatementFilter(df.FilterSet):
    town = df.CharFilter(method="filter_town", label="镇街（代码或ID）")

    class Meta:
        model = IncomeStatement
        fields = ["household", "year", "state", "below_line", "big_change", "town"]

    def filter_town(self, queryset, name, value):
        return queryset.filter(org_q("household__village__town", value))
