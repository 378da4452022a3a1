"""The console's live channel (/ws/console/).

Only a signed-in user who has passed the second factor (where it is required) is accepted; anyone else
is closed with code 4401 so the page can send them to the login.

Messages from the page:
- `{"type": "resume", "after": N}`: send every event of the user's organisation after id N from the
  database (the outbox), then `{"type": "resumed", "last": M}`. The consumer joined its group before
  this, and handles one message at a time, so pushes that arrive meanwhile wait and follow the catch-up;
  the page drops an event whose id it has seen.
- `{"type": "ping"}`: answered with `pong`, so the page can tell a live channel from a dead one.
While the database is unreachable (or its storage full), a ping or resume is answered with
`{"type": "unavailable", "code": "database_unavailable" | "storage_full", "detail": …}` instead (the
code and text of the API's 503, hotline.api.storage_refusal) and the channel stays open: the page shows
that it is degraded and pings again until a `pong` says the database is back. Nothing is pushed while
the session cannot be checked.

When the channel layer works again after an outage (hotline.realtime.layer_watch), pushes may have been
lost meanwhile: the consumer replays from the outbox everything after the `last` it answered the page,
as the page's own resume would, without waiting for the page's minutely resync.
A frame that is not JSON text (binary, invalid, nested too deep: hotline.json_input) is answered with
`{"type": "error", "code": "parse_error", "detail": …}` and the channel stays open.
Events go out as `{"type": "event", "event": {...}}`.

A channel never outlives its session. It joins the groups of its session and of its person, rung at
sign-out, deactivation and the like (hotline.realtime.revocation), and it checks its session again
(hotline.console.access) before every push it forwards and every ping or resume: a ring may be lost, the
check is the guarantee. A check that passed holds for `recheck_seconds`, so a burst of pushes to 500
consoles costs each at most one query in that time. A channel whose session ended is closed with 4401.

The consumer lives in the console, which owns the session and the second factor; hotline.realtime keeps
what it reads (the outbox, the organisation groups and the catch-up feed) and imports no app.
"""

import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth import SESSION_KEY
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from hotline.api import storage_refusal
from hotline.console.access import session_still_holds
from hotline.console.second_factor import has_passed_second_factor
from hotline.console.sessions import REFRESH_EVERY_SECONDS, SessionStore, keep_session_alive
from hotline.json_input import UnusableJson, loads
from hotline.realtime.layer_watch import unwatch, watch
from hotline.realtime.outbox import FEED_PAGE, events_after, last_event_id, organisation_group
from hotline.realtime.revocation import person_group, session_group

CLOSE_UNAUTHENTICATED = 4401


def refresh_session(session_key: str) -> None:
    """A ping (every 15 s from console.js, well under the idle time) is activity: it slides the
    session's expiry as a request does (hotline.console.sessions)."""
    session = SessionStore(session_key)
    if session.get(SESSION_KEY) is not None and keep_session_alive(session):  # a session ended stays so
        session.save()


class ConsoleConsumer(AsyncJsonWebsocketConsumer):
    recheck_seconds = 5.0  # how long a passed session check holds (see the module's docstring)
    group = None  # the organisation's
    joined = ()  # every group this channel is in
    ended = False
    session_refreshed_at = float("-inf")  # time.monotonic() of this channel's last refresh_session
    resumed_up_to = None  # the `last` of the latest `resumed`: the page's watermark

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
            self.ended = True  # a frame that raced the close is ignored
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.session_key, self.user_id = session.session_key, user.pk
        self.checked_at = time.monotonic()
        self.joined = [session_group(self.session_key), person_group(user.pk)]
        if user.organisation_id is not None:
            self.group = organisation_group(user.organisation_id)
            self.joined.append(self.group)
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        watch(self.layer_recovered)
        await self.send_json({"type": "hello", "server_time": timezone.now().isoformat(), "user": user.username})

    async def disconnect(self, code):
        unwatch(self.layer_recovered)
        await self.leave_groups()

    async def layer_recovered(self) -> None:
        if self.resumed_up_to is not None and self.joined and await self.still_signed_in():
            await self.resume(self.resumed_up_to)

    async def leave_groups(self) -> None:
        joined, self.joined = self.joined, ()
        for group in joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def still_signed_in(self, *, now: bool = False) -> bool:
        """Whether the session still holds: checked in the database unless a check passed less than
        `recheck_seconds` ago (`now` always checks). A channel whose session ended is closed."""
        if self.ended:
            return False
        if not now and time.monotonic() - self.checked_at < self.recheck_seconds:
            return True
        if await database_sync_to_async(session_still_holds)(self.session_key, self.user_id):
            self.checked_at = time.monotonic()
            return True
        await self.end_session()
        return False

    async def end_session(self) -> None:
        if self.ended:
            return
        self.ended = True
        await self.leave_groups()
        await self.close(code=CLOSE_UNAUTHENTICATED)

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
        try:
            await self.answer(content)
        except (OperationalError, InterfaceError) as error:
            # Not a session that ended: the page says it is degraded, and its next ping finds out when
            # the database is back (the socket would otherwise drop and fail to reconnect meanwhile).
            _, code, detail = storage_refusal(error)
            await self.send_json({"type": "unavailable", "code": code, "detail": detail})

    async def answer(self, content) -> None:
        if not isinstance(content, dict) or not await self.still_signed_in():
            return
        if content.get("type") == "ping":
            # The session's expiry moves at most once a minute anyway: most pings (every 15 s) need not
            # read the session row a second time (still_signed_in may just have read it).
            if time.monotonic() - self.session_refreshed_at >= REFRESH_EVERY_SECONDS:
                await database_sync_to_async(refresh_session)(self.session_key)
                self.session_refreshed_at = time.monotonic()
            await self.send_json({"type": "pong", "server_time": timezone.now().isoformat()})
        elif content.get("type") == "resume":
            await self.resume(content.get("after"))

    async def resume(self, after) -> None:
        if self.group is None:
            await self.send_resumed(0)
            return
        organisation_id = self.scope["user"].organisation_id
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            # A page that saw nothing yet starts from now, not from the beginning of history.
            await self.send_resumed(await database_sync_to_async(last_event_id)(organisation_id))
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
        await self.send_resumed(last)

    async def send_resumed(self, last: int) -> None:
        self.resumed_up_to = last
        await self.send_json({"type": "resumed", "last": last})

    async def event_push(self, message):
        try:
            if await self.still_signed_in():
                await self.send_json({"type": "event", "event": message["event"]})
        except (OperationalError, InterfaceError):
            pass  # unchecked, not sent: the page's catch-up after the outage replays it from the outbox

    async def session_end(self, message):
        await self.end_session()

    async def session_check(self, message):
        await self.still_signed_in(now=True)
