from celery import shared_task

from hotline.audit.checkpoints import do_publish_checkpoint
from hotline.audit.incremental import verify_since_last


@shared_task(name="hotline.audit.publish_checkpoint", ignore_result=True)
def publish_checkpoint() -> None:
    do_publish_checkpoint()  # verifies the whole log first
    verify_since_last()  # so the log page starts from the checkpoint just signed
