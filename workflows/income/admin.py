from django.contrib import admin

from backend.tenancy.admin import ReadOnlyInline, TenantAdmin

from .models import IncomeAmount, IncomeLine, IncomeStatement, PovertyLine


class AmountInline(ReadOnlyInline):
    model = IncomeAmount
    fields = ["line", "amount"]
    readonly_fields = fields


@admin.register(IncomeLine)
class IncomeLineAdmin(TenantAdmin):
    """Operators define each year's lines and whether each counts toward net income (S16)."""

    list_display = ["year", "order", "code", "category", "label", "counts_toward_net"]
    list_filter = ["year", "category", "counts_toward_net"]
    list_editable = ["counts_toward_net"]


@admin.register(PovertyLine)
class PovertyLineAdmin(TenantAdmin):
    list_display = ["year", "standard", "amount", "verified", "source"]
    list_filter = ["year", "standard", "verified"]


@admin.register(IncomeStatement)
class IncomeStatementAdmin(TenantAdmin):
    """Read only: statements change through their services, which recompute totals and log transitions."""

    list_display = ["household", "year", "state", "per_capita", "below_line", "big_change"]
    list_filter = ["year", "state", "below_line", "big_change"]
    raw_id_fields = ["household", "pairing"]
    inlines = [AmountInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
