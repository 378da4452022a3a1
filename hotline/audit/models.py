"""The audit log and its signed checkpoints.

`AuditEntry` is not managed by Django: its table and the triggers that refuse UPDATE, DELETE (and on
PostgreSQL TRUNCATE) are created by this app's migration in SQL, and Django's `flush` leaves it alone, so
no code path of ours can empty it. Entries are written only by `hotline.audit.log.record`.
"""

import json

from django.db import models


class ActorKind(models.TextChoices):
    PERSON = "person", "Person"
    API_KEY = "api_key", "API key"
    SYSTEM = "system", "System"


class AuditEntry(models.Model):
    """One recorded action. `body` is the canonical JSON that was hashed; the other text columns copy
    parts of it for filtering only, and pages show what `body` says."""

    seq = models.BigIntegerField(primary_key=True)
    recorded_at = models.DateTimeField()
    actor = models.CharField(max_length=150)
    organisation = models.CharField(max_length=12)
    action = models.CharField(max_length=64)
    body = models.TextField()
    prev_hash = models.BinaryField()
    leaf_hash = models.BinaryField()

    class Meta:
        managed = False
        db_table = "audit_entry"
        ordering = ["-seq"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"#{self.seq} {self.action} by {self.actor}"

    @property
    def content(self) -> dict:
        return json.loads(self.body)


class AuditCheckpoint(models.Model):
    """A signed statement of the log's size and Merkle root at one time, published to every party."""

    tree_size = models.BigIntegerField()
    root_hash = models.BinaryField()
    note = models.TextField(help_text="The C2SP signed note, exactly as published.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-tree_size", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tree_size"],
                name="audit_checkpoint_one_per_size",
                violation_error_message="A checkpoint of this size exists already.",
            )
        ]

    def __str__(self):
        return f"checkpoint of {self.tree_size} entries"


class AuditVerification(models.Model):
    """The log's last verified state for the log page (one row): the first `tree_size` entries were
    found unchanged and in order at `verified_at`, with this root, this last leaf and this right edge of
    the Merkle tree (the complete subtrees' roots along tree_size's binary digits, 32 bytes each), and
    consistent with every signed checkpoint up to `checkpoint_size`. See hotline.audit.incremental."""

    tree_size = models.BigIntegerField()
    root_hash = models.BinaryField()
    last_leaf = models.BinaryField()
    right_edge = models.BinaryField()
    checkpoint_size = models.BigIntegerField(default=0)
    verified_at = models.DateTimeField()

    def __str__(self):
        return f"verified up to entry {self.tree_size}"
