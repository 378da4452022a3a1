"""Ringing the live channels whose session a sign-out, a deactivation or a password change ends.

Every console channel joins, besides its organisation's group, the group of its session and the group of
its person. A ring is a doorbell, not the guarantee: like any push it may be lost (Redis down, a dropped
message), so the consumer also checks its session again before every push it forwards and every ping.

- `ring_session_end(key)`: this session is ending (sign-out); its channels close at once, unchecked —
  Django announces a sign-out before it deletes the session, so a check then would still find it.
- `ring_person_check(user_id)`: the person changed (deactivated, sessions deleted, password changed); their
  channels check their session now and close if it no longer holds. A check, not an order: after a
  password change the session that made it is kept valid by Django, and so is its console.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger("hotline.realtime")

SESSION_END = "session.end"
PERSON_CHECK = "session.check"


def session_group(session_key: str) -> str:
    return f"session.{session_key}"


def person_group(user_id: int) -> str:
    return f"person.{user_id}"


def ring_session_end(session_key: str) -> None:
    _ring(session_group(session_key), SESSION_END)


def ring_person_check(user_id: int) -> None:
    _ring(person_group(user_id), PERSON_CHECK)


def _ring(group: str, kind: str) -> None:
    try:
        async_to_sync(get_channel_layer().group_send)(group, {"type": kind})
    except Exception as error:  # any failure of the layer: the consumers' own re-check still closes them
        log.warning("ring failed; the live channels will find out at their next check", extra={"error": repr(error)})
