"""Celery tasks of the engine: beat sends `tick` every second and `send_deliveries` every few seconds
(for retries, and for anything whose after-commit trigger was lost with a broker restart). No task is
scheduled far ahead: with a Redis broker a long ETA is redelivered after the visibility timeout and lost
with a worker's memory, so the database holds every deadline.

The engine knows nothing of Celery: its tick returns the pages it wrote (committed by then), and this
module asks for their sending."""

import logging

from celery import shared_task

from hotline.escalation import engine
from hotline.escalation.sending import send_due
from hotline.heartbeat import record_heartbeat

log = logging.getLogger("hotline.escalation")


@shared_task(name="hotline.escalation.tick", ignore_result=True)
def tick() -> int:
    fired = engine.tick()
    if fired:
        ask_for_sending()
    record_heartbeat("escalation")
    return fired


@shared_task(name="hotline.escalation.send_deliveries", ignore_result=True)
def send_deliveries() -> int:
    return send_due()


def ask_for_sending() -> None:
    """Wake a sender now rather than at its next 5-second round; if the broker is down, that round (or
    the one after the broker is back) sends them, since the deliveries wait in the database."""
    try:
        send_deliveries.apply_async(retry=False)
    except Exception as error:  # any broker failure: the deliveries are safe in the database
        log.warning("could not queue sending; the next round will send", extra={"error": repr(error)})
