from django.db import models


class IdempotentResponse(models.Model):
    """The first successful answer to a POST that carried an `Idempotency-Key`, kept for its retries."""

    caller = models.CharField(max_length=80, help_text="key:<prefix> for an API key, user:<id> for a person.")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the method, path and body.")
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The unique index is also how a retry finds the first answer.
        constraints = [models.UniqueConstraint(fields=["caller", "key"], name="idempotency_key_once_per_caller")]

    def __str__(self):
        return f"{self.caller} {self.key}"
