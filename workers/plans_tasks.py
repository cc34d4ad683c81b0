"""Holiday-delivery reminders (S5): a kick when a campaign starts, and a sweep for the days before each festival."""

from workflows.deliveries import services as deliveries
from workflows.deliveries.models import DeliveryCampaign

from .app import app


@app.task(name="deliveries.remind", acks_late=True, ignore_result=True)
def remind(campaign_id: int) -> int:
    """Idempotent: each delivery's reminder has a unique key, so a second run sends nothing."""
    campaign = DeliveryCampaign.objects.filter(pk=campaign_id).select_related("tenant").first()
    return 0 if campaign is None else deliveries.remind(campaign=campaign)


@app.task(name="deliveries.sweep", acks_late=True, ignore_result=True)
def sweep() -> int:
    """Every delivering campaign whose reminder days have come, each in its tenant's date."""
    return deliveries.remind_due()
