"""The event outbox: what each organisation must see, kept in the database.

A change someone must see writes its `Event` in the same transaction as the change; the push over the
channel layer after commit is only a doorbell. Consoles and API clients that missed a push read the
events after the last id they saw (`events_after`). The app imports no other app: an audience is a set
of organisation ids, and a payload is whatever JSON the publishing app built for that audience.
"""

from django.db import models


class Event(models.Model):
    """One thing that happened, as one audience may see it. A change seen differently by two audiences
    (the whole content for one, the metadata only for another) is two events with two payloads."""

    kind = models.CharField(max_length=40, help_text="e.g. incident.created, message.created")
    subject = models.CharField(max_length=60, help_text="What it is about, e.g. incident:42.")
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"event {self.pk} {self.kind} {self.subject}"


class EventAudience(models.Model):
    """An organisation that may see an event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="audience")
    organisation_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation_id", "event"], name="event_audience_once")]
        # The unique index (organisation, event) also serves events_after(): one organisation's events
        # after an id, in id order.

    def __str__(self):
        return f"event {self.event_id} → organisation {self.organisation_id}"
