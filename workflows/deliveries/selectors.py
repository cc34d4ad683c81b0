"""Reads of holiday deliveries: coverage per town and per village (S5)."""

from __future__ import annotations

from django.db.models import Count, Q

from .models import Delivery, DeliveryCampaign


def _rate(done: int, total: int) -> float | None:
    return round(done / total, 4) if total else None


def coverage(campaign: DeliveryCampaign, deliveries=None) -> dict:
    """Households to deliver to, delivered, delivered late, and the rate, per town and per village of the
    campaign. `deliveries` narrows to what the caller may see (a queryset of Delivery). One query."""
    qs = (deliveries if deliveries is not None else Delivery.objects.all()).filter(campaign=campaign)
    counts = {"households": Count("id"), "delivered": Count("id", filter=Q(delivered_on__isnull=False)),
              "late": Count("id", filter=Q(late=True))}
    villages = list(qs.values("household__village", "household__village__name", "household__village__town",
                              "household__village__town__name").annotate(**counts)
                    .order_by("household__village__town__code", "household__village__code"))
    towns: dict[int, dict] = {}
    for v in villages:
        town = towns.setdefault(v["household__village__town"], {
            "id": v["household__village__town"], "name": v["household__village__town__name"],
            "households": 0, "delivered": 0, "late": 0, "villages": []})
        row = {"id": v["household__village"], "name": v["household__village__name"],
               "households": v["households"], "delivered": v["delivered"], "late": v["late"],
               "rate": _rate(v["delivered"], v["households"])}
        town["villages"].append(row)
        for key in ("households", "delivered", "late"):
            town[key] += row[key]
    rows = [{**t, "rate": _rate(t["delivered"], t["households"])} for t in towns.values()]
    total = {k: sum(t[k] for t in rows) for k in ("households", "delivered", "late")}
    return {"campaign": campaign.pk, "title": campaign.title, "festival_on": campaign.festival_on,
            "deliver_by": campaign.deliver_by, **total, "rate": _rate(total["delivered"], total["households"]),
            "towns": rows}
