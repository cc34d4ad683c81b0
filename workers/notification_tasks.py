"""Notification delivery (notifications.dispatch): a kick per batch of fresh rows, and beat's sweep."""

from notifications import dispatch

from .app import app


@app.task(name="notifications.deliver", acks_late=True, ignore_result=True)
def deliver(ids: list[int]) -> int:
    """Idempotent: the claim takes only rows still due, so a redelivered kick sends nothing twice."""
    return dispatch.deliver(ids=ids)


@app.task(name="notifications.sweep", acks_late=True, ignore_result=True)
def sweep() -> int:
    """Anything due that no kick reached: a broker outage, a retry's back-off, a dead worker's lease."""
    return dispatch.sweep()
