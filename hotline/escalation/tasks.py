"""Celery tasks of the engine: beat sends `tick` every second and `send_deliveries` every few seconds
(for retries, and for anything whose after-commit trigger was lost with a broker restart). No task is
scheduled far ahead: with a Redis broker a long ETA is redelivered after the visibility timeout and lost
with a worker's memory, so the database holds every deadline."""

from celery import shared_task

from hotline.heartbeat import record_heartbeat


@shared_task(name="hotline.escalation.tick", ignore_result=True)
def tick() -> int:
    from hotline.escalation.engine import tick as run_tick

    fired = run_tick()
    record_heartbeat("escalation")
    return fired


@shared_task(name="hotline.escalation.send_deliveries", ignore_result=True)
def send_deliveries() -> int:
    from hotline.escalation.sending import send_due

    return send_due()
