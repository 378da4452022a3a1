"""Celery tasks of reachability checks: beat sends `start_scheduled_check` every minute
(settings.CELERY_BEAT_SCHEDULE).

The task is idempotent: the slot's unique constraint lets one check exist per slot, so a task run twice,
or by two workers at once, starts it once. Nothing is scheduled ahead with an ETA: the database and the
clock decide, every minute. The task keeps the name it had in accounts: the beat schedule and any
message already queued name it.
"""

from celery import shared_task

from hotline.reachability.actions import do_start_scheduled_check


@shared_task(name="hotline.accounts.start_scheduled_check", ignore_result=True)
def start_scheduled_check() -> str | None:
    check = do_start_scheduled_check()
    return check.reference if check is not None else None
