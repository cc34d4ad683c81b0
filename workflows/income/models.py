"""Annual income statements (年度收入明细表, A2, S16) and the data they are judged with.

- `IncomeLine`: the form's line items for one tenant and year (附件2 lists them), each in a category A–F and
  with a flag whether it counts toward net income. Per-year data, because forms and rules change.
- `PovertyLine`: the tenant's poverty line per year and identification standard (国家/省定/市定), with its source
  and whether the number has been verified.
- `IncomeStatement`: per household per year, draft → verified (second helper) → distributed | returned.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.common import clock
from backend.directory.models import Person
from backend.households.models import Household
from backend.tenancy.models import TenantOwned
from backend.tenancy.roles import Role
from backend.tenancy.scoping import NOTHING, Actor, TenantQuerySet
from workflows.pairings.models import Pairing

MONEY = {"max_digits": 12, "decimal_places": 2}


class IncomeCategory(models.TextChoices):
    A = "A", "扶贫产业项目收入"
    B = "B", "财产性收入"
    C = "C", "经营性收入"
    D = "D", "工资性收入"
    E = "E", "转移性收入"
    F = "F", "生产经营性支出"


INCOME_CATEGORIES = ("A", "B", "C", "D", "E")
EXPENSE_CATEGORIES = ("F",)


class EveryoneReads(TenantQuerySet):
    """Reference data of the tenant: every member may read it."""

    def scope_q(self, actor: Actor) -> Q:
        return Q()


class IncomeLine(TenantOwned):
    year = models.PositiveSmallIntegerField("年度")
    code = models.CharField("行代码", max_length=10, help_text="同一项目各年代码相同，如 E1")
    category = models.CharField("收入类型", max_length=1, choices=IncomeCategory.choices)
    label = models.CharField("收入来源", max_length=60)
    order = models.PositiveSmallIntegerField("序号")
    counts_toward_net = models.BooleanField("计入纯收入", default=True,
                                            help_text="支出行：是否从纯收入中扣除")
    note = models.CharField("说明", max_length=200, blank=True)

    objects = EveryoneReads.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "收入明细项目"
        ordering = ["tenant_id", "year", "order"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "year", "code"], name="income_line_code_unique"),
            models.UniqueConstraint(fields=["tenant", "year", "order"], name="income_line_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.category}{self.get_category_display()}·{self.label}"

    @property
    def title(self) -> str:
        """How messages name the line: “E转移性收入·低保”."""
        return f"{self.category}{self.get_category_display()}·{self.label}"

    @property
    def is_expense(self) -> bool:
        return self.category in EXPENSE_CATEGORIES


class PovertyLine(TenantOwned):
    year = models.PositiveSmallIntegerField("年度")
    standard = models.CharField("识别标准", max_length=2, help_text="standard 代码表：01 国家、02 省定、03 市定")
    amount = models.DecimalField("人均纯收入标准（元/年）", **MONEY)
    source = models.CharField("出处", max_length=300)
    verified = models.BooleanField("已核实", default=False, help_text="未核实的数字须在使用前向主管部门确认")

    objects = EveryoneReads.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "扶贫标准线"
        ordering = ["tenant_id", "-year", "standard"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "year", "standard"], name="poverty_line_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="poverty_line_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.standard} {self.amount}"


class StatementState(models.TextChoices):
    DRAFT = "draft", "草稿"
    VERIFIED = "verified", "已核实"
    DISTRIBUTED = "distributed", "已发放"
    RETURNED = "returned", "已退回"


EDITABLE_STATES = (StatementState.DRAFT, StatementState.RETURNED)


class StatementQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        q = NOTHING
        if actor.person is not None:
            # The helpers it was prepared under, and the household's current helpers after a replacement.
            q |= Q(pairing__first_helper=actor.person) | Q(pairing__second_helper=actor.person)
            q |= Q(household__in=Pairing.objects.open().filter(
                Q(first_helper=actor.person) | Q(second_helper=actor.person)).values("household_id"))
        if actor.has(Role.TOWN_OFFICE) and actor.organisation is not None:
            q |= Q(household__village__town=actor.organisation)
        return q


class IncomeStatement(ConcurrentTransitionMixin, TenantOwned):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="income_statements",
                                  verbose_name="贫困户")
    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, related_name="income_statements",
                                verbose_name="结对", help_text="编制时的结对，其第二帮扶责任人负责核实")
    year = models.PositiveSmallIntegerField("年度")
    state = FSMField("状态", default=StatementState.DRAFT, choices=StatementState.choices, protected=True)
    household_size = models.PositiveSmallIntegerField("家庭人口数")
    gross = models.DecimalField("家庭总收入", **MONEY)
    expenses = models.DecimalField("生产经营性支出", **MONEY)
    net = models.DecimalField("家庭年纯收入", **MONEY)
    per_capita = models.DecimalField("家庭年人均纯收入", **MONEY)
    # Flags, computed with the totals.
    poverty_line = models.ForeignKey(PovertyLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name="适用扶贫标准")
    below_line = models.BooleanField("低于扶贫标准", null=True, blank=True, help_text="无该年度标准时为空")
    last_per_capita = models.DecimalField("上年人均纯收入", null=True, blank=True, **MONEY)
    change_ratio = models.DecimalField("同比变化", max_digits=9, decimal_places=4, null=True, blank=True)
    big_change = models.BooleanField("同比变化过大", default=False)
    missing_lines = models.JSONField("上年有、本年无的收入项目", default=list, blank=True)
    note = models.TextField("备注", blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name="填报人")
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(auto_now=True)
    verified_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name="核实人")
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    distributed_on = models.DateField("发放日期", null=True, blank=True)
    return_reason = models.TextField("退回原因", blank=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "年度收入明细表"
        ordering = ["-year", "household_id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "household", "year"], name="income_statement_unique"),
            models.CheckConstraint(condition=Q(household_size__gte=1), name="income_statement_size_positive"),
        ]
        indexes = [models.Index(fields=["tenant", "year", "state"])]

    def __str__(self) -> str:
        return f"{self.household.head_name} {self.year}年收入明细表"

    @transition(field=state, source=StatementState.DRAFT, target=StatementState.VERIFIED, custom={"label": "核实"})
    def verify(self, *, by, at):
        self.verified_by = by
        self.verified_at = at
        self.return_reason = ""

    @transition(field=state, source=StatementState.VERIFIED, target=StatementState.DISTRIBUTED,
                custom={"label": "发放到户"})
    def distribute(self, *, on):
        self.distributed_on = on

    @transition(field=state, source=(StatementState.DRAFT, StatementState.VERIFIED), target=StatementState.RETURNED,
                custom={"label": "退回"})
    def return_for_correction(self, *, why: str):
        self.return_reason = why
        self.verified_by = None
        self.verified_at = None

    @transition(field=state, source=StatementState.RETURNED, target=StatementState.DRAFT, custom={"label": "重新填报"})
    def reopen(self):
        """Back to draft, so the preparer can correct the amounts and send it for verification again."""


class AmountQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        return Q(statement__in=IncomeStatement.objects.visible_to(actor))


class IncomeAmount(TenantOwned):
    statement = models.ForeignKey(IncomeStatement, on_delete=models.CASCADE, related_name="amounts",
                                  verbose_name="收入明细表")
    line = models.ForeignKey(IncomeLine, on_delete=models.PROTECT, related_name="+", verbose_name="项目")
    amount = models.DecimalField("金额（元/年）", **MONEY)

    objects = AmountQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "收入明细金额"
        ordering = ["statement_id", "line__order"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "line"], name="income_amount_one_per_line"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="income_amount_not_negative"),
        ]
