"""`GET /api/v1/stats/…`: the S17 measures per town or per unit, within the asker's scope.

- `stats/presence/?year=&by=town|unit&as_of=` — 到位率 from the records and from inspections;
- `stats/visit-compliance/?year=&by=town|unit&as_of=` — compliance windows met, and misses recorded;
- `stats/satisfaction/?year=&by=town|unit` — 满意度 from inspections and the card's QR page.
"""

from __future__ import annotations

import datetime as dt

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.common.errors import ValidationFailed
from workflows.measures.compliance import compliance
from workflows.measures.groups import by as group_by
from workflows.measures.presence import presence
from workflows.measures.satisfaction import satisfaction
from workflows.plans.access import local_today

PARAMS = [OpenApiParameter("year", int, description="年度，默认今年"),
          OpenApiParameter("by", str, enum=["town", "unit"], description="按镇街或按部门单位分组，默认镇街"),
          OpenApiParameter("as_of", str, description="统计截止日期（YYYY-MM-DD），默认今天")]


class StatsQuery(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, label="年度")
    by = serializers.CharField(required=False, default="town", label="分组")
    as_of = serializers.DateField(required=False, label="统计截止日期")


class StatsViewSet(viewsets.ViewSet):
    def _query(self, request) -> tuple[int, object, object]:
        data = StatsQuery(data=request.query_params)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        today = local_today(request.actor.tenant)
        year = v.get("year") or (v["as_of"].year if "as_of" in v else today.year)
        as_of = v.get("as_of") or min(today, _year_end(year))
        if as_of.year != year:
            raise ValidationFailed.on("as_of", f"统计截止日期应在{year}年内。")
        return year, group_by(v["by"]), as_of

    @extend_schema(responses={200: dict})
    def list(self, request):
        return Response({name: f"/api/v1/stats/{name}/" for name in ("presence", "visit-compliance", "satisfaction")})

    @extend_schema(parameters=PARAMS, responses={200: dict})
    @action(detail=False, methods=["get"], url_path="presence")
    def presence(self, request):
        year, by, as_of = self._query(request)
        return Response(presence(request.actor, year=year, by=by, as_of=as_of))

    @extend_schema(parameters=PARAMS, responses={200: dict})
    @action(detail=False, methods=["get"], url_path="visit-compliance")
    def visit_compliance(self, request):
        year, by, as_of = self._query(request)
        return Response(compliance(request.actor, year=year, by=by, as_of=as_of))

    @extend_schema(parameters=PARAMS[:2], responses={200: dict})
    @action(detail=False, methods=["get"], url_path="satisfaction")
    def satisfaction(self, request):
        year, by, _as_of = self._query(request)
        return Response(satisfaction(request.actor, year=year, by=by))


def _year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)
