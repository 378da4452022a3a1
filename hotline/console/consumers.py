"""The console's live channel (/ws/console/).

Only a signed-in user who has passed the second factor (where it is required) is accepted; anyone else
is closed with code 4401 so the page can send them to the login.

Messages from the page:
- `{"type": "resume", "after": N}`: send every event of the user's organisation after id N from the
  database (the outbox), then `{"type": "resumed", "last": M}`. The consumer joined its group before
  this, and handles one message at a time, so pushes that arrive meanwhile wait and follow the catch-up;
  the page drops an event whose id it has seen.
- `{"type": "ping"}`: answered with `pong`, so the page can tell a live channel from a dead one.
A frame that is not JSON text (binary, invalid, nested too deep: hotline.json_input) is answered with
`{"type": "error", "code": "parse_error", "detail": …}` and the channel stays open.
Events go out as `{"type": "event", "event": {...}}`.

The consumer lives in the console, which owns the session and the second factor; hotline.realtime keeps
what it reads (the outbox, the organisation groups and the catch-up feed) and imports no app.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import timezone

from hotline.console.second_factor import has_passed_second_factor
from hotline.json_input import UnusableJson, loads
from hotline.realtime.outbox import FEED_PAGE, events_after, last_event_id, organisation_group

CLOSE_UNAUTHENTICATED = 4401


class ConsoleConsumer(AsyncJsonWebsocketConsumer):
    group = None

    async def connect(self):
        user = self.scope.get("user")
        session = self.scope.get("session")
        if (
            user is None
            or not user.is_authenticated
            or not await database_sync_to_async(has_passed_second_factor)(user, session)
        ):
            # Accept, then close with our own code: a refused handshake reaches the page only as 1006,
            # which it cannot tell from a network failure and would keep retrying.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if user.organisation_id is not None:
            self.group = organisation_group(user.organisation_id)
            await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "server_time": timezone.now().isoformat(), "user": user.username})

    async def disconnect(self, code):
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        # Channels' own would raise on these, dropping the socket (1006) with a traceback.
        if text_data is None:
            await self.send_json(
                {"type": "error", "code": "parse_error", "detail": "Frames are JSON text, not binary."}
            )
            return
        try:
            content = loads(text_data)
        except UnusableJson as error:
            await self.send_json({"type": "error", "code": "parse_error", "detail": str(error)})
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            return
        if content.get("type") == "ping":
            await self.send_json({"type": "pong", "server_time": timezone.now().isoformat()})
        elif content.get("type") == "resume":
            await self.resume(content.get("after"))

    async def resume(self, after) -> None:
        if self.group is None:
            await self.send_json({"type": "resumed", "last": 0})
            return
        organisation_id = self.scope["user"].organisation_id
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            # A page that saw nothing yet starts from now, not from the beginning of history.
            await self.send_json(
                {"type": "resumed", "last": await database_sync_to_async(last_event_id)(organisation_id)}
            )
            return
        last = after
        while True:
            events = await database_sync_to_async(events_after)(organisation_id, last)
            for event in events:
                await self.send_json({"type": "event", "event": event})
            if events:
                last = events[-1]["id"]
            if len(events) < FEED_PAGE:
                break
        await self.send_json({"type": "resumed", "last": last})

    async def event_push(self, message):
        await self.send_json({"type": "event", "event": message["event"]})
