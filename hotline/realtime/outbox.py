"""Publishing to the outbox and reading it back.

`publish()` writes an event for an audience in the caller's transaction and rings the audience's
channel groups after commit. `events_after()` is the catch-up feed, for the console's WebSocket and for
`GET /api/v1/events/`. Both take organisation ids; who may see what is decided by the publishing app.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from hotline.db import lock_commit_order
from hotline.realtime.models import Event, EventAudience

log = logging.getLogger("hotline.realtime")

FEED_PAGE = 500  # events per catch-up page


def organisation_group(organisation_id: int) -> str:
    return f"org.{organisation_id}"


def event_message(event: Event) -> dict:
    """What a client receives, over the WebSocket and from the feed alike."""
    return {"id": event.pk, "type": event.kind, "created_at": event.created_at.isoformat(), **event.payload}


def publish(kind: str, subject: str, payload: dict, audience) -> Event | None:
    """Write one event for the organisations in `audience` (ids), in the caller's transaction.
    Returns None for an empty audience (nothing to write)."""
    return publish_many([(kind, subject, payload, audience)])[0]


def publish_many(items) -> list[Event | None]:
    """Write several events — (kind, subject, payload, audience) each — in one locked step and ring all
    their audiences after commit in one hop: what a tick of the escalation engine writes at once."""
    wanted = [(kind, subject, payload, sorted(set(audience))) for kind, subject, payload, audience in items]
    if not any(organisation_ids for *_, organisation_ids in wanted):
        return [None] * len(wanted)
    lock_commit_order()  # ids in commit order: a reader that saw id N never misses an id below N
    events = Event.objects.bulk_create(
        Event(kind=kind, subject=subject, payload=payload)
        for kind, subject, payload, organisation_ids in wanted
        if organisation_ids
    )
    written = iter(events)
    results, audiences, pushes = [], [], []
    for *_, organisation_ids in wanted:
        if not organisation_ids:
            results.append(None)
            continue
        event = next(written)
        results.append(event)
        audiences += [
            EventAudience(event=event, organisation_id=organisation_id) for organisation_id in organisation_ids
        ]
        pushes.append((organisation_ids, event_message(event)))
    EventAudience.objects.bulk_create(audiences)
    transaction.on_commit(lambda: ring_many(pushes))
    return results


def ring_many(pushes) -> None:
    """Push events to their audiences' groups, all in one hop into the event loop. A push that fails is
    logged, not raised: the events are in the database, and every client catches up from there."""
    layer = get_channel_layer()

    async def send_to_all():
        for organisation_ids, message in pushes:
            for organisation_id in organisation_ids:
                await layer.group_send(organisation_group(organisation_id), {"type": "event.push", "event": message})

    try:
        async_to_sync(send_to_all)()
    except Exception as error:  # any failure of the layer (Redis down, full): the outbox has the events
        log.warning(
            "push failed; clients will catch up from the outbox",
            extra={"events": [message["id"] for _, message in pushes], "error": repr(error)},
        )


def events_after(organisation_id: int, after: int, limit: int = FEED_PAGE) -> list[dict]:
    """The organisation's events with an id above `after`, oldest first, at most `limit`."""
    events = Event.objects.filter(audience__organisation_id=organisation_id, pk__gt=after).order_by("pk")[:limit]
    return [event_message(event) for event in events]


def last_event_id(organisation_id: int) -> int:
    last = (
        EventAudience.objects.filter(organisation_id=organisation_id)
        .order_by("-event_id")
        .values_list("event_id", flat=True)
        .first()
    )
    return last or 0


def latest_events(organisation_id: int, kinds, limit: int = 10) -> list[dict]:
    """The organisation's newest events of `kinds`, newest first: the console home's recent activity.
    Only what was published to the organisation, so only what it may see."""
    events = Event.objects.filter(audience__organisation_id=organisation_id, kind__in=list(kinds)).order_by("-pk")
    return [event_message(event) for event in events[:limit]]
