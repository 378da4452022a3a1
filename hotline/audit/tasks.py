from celery import shared_task

from hotline.audit.checkpoints import do_publish_checkpoint


@shared_task(name="hotline.audit.publish_checkpoint", ignore_result=True)
def publish_checkpoint() -> None:
    do_publish_checkpoint()
