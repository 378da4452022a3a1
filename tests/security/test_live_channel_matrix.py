"""Issue 14, the live channel's part of the authorisation matrix: every message type the console's
consumer answers has an entry in tests/security/matrix.py (read from the consumer's own dispatch, so a new
type fails here), and `resume` replays to each relation only what sight() lets it see: a RED or
AMBER+STRICT incident's events never reach an organisation that is not addressed or an observer, and its
content never reaches the commission. Through the real ASGI server and a real WebSocket."""

import ast
import inspect
import json

import pytest
from django.test import Client

from hotline.console import consumers
from tests.accounts.world import build_demo_world, person
from tests.foundation.test_live_channel import open_channel
from tests.security.matrix import CHANNEL_MESSAGES, CHANNEL_REPLIES, RELATION_ORGANISATION, TLPS, sight
from tests.security.test_role_matrix import report


def dispatched_types() -> tuple[set[str], set[str]]:
    """(the types receive_json compares `content.get("type")` with, the types of every dict it sends)."""
    tree = ast.parse(inspect.getsource(consumers))
    received, sent = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and "get" in ast.unparse(node.left) and "'type'" in ast.unparse(node.left):
            received |= {c.value for c in node.comparators if isinstance(c, ast.Constant)}
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "type" and isinstance(value, ast.Constant):
                    sent.add(value.value)
    return received, sent


def test_every_message_type_of_the_channel_has_an_entry():
    received, sent = dispatched_types()
    assert received, "the consumer's dispatch was not found: update dispatched_types"
    assert received == CHANNEL_MESSAGES.keys(), "add the type to CHANNEL_MESSAGES in tests/security/matrix.py"
    assert sent == CHANNEL_REPLIES, "add the reply to CHANNEL_REPLIES in tests/security/matrix.py"


def replayed(asgi_server, username: str) -> list[str]:
    """The events `resume` from 0 replays to `username`'s console, as JSON text; pings answered too."""
    client = Client()
    client.force_login(person(username))
    with open_channel(asgi_server, f"sessionid={client.cookies['sessionid'].value}") as channel:
        assert json.loads(channel.recv(timeout=5))["type"] == "hello"
        channel.send(json.dumps({"type": "ping"}))
        assert json.loads(channel.recv(timeout=5))["type"] == "pong"
        channel.send(json.dumps({"type": "resume", "after": 0}))
        events = []
        while (message := json.loads(channel.recv(timeout=5)))["type"] != "resumed":
            assert message["type"] == "event", message
            events.append(json.dumps(message["event"], ensure_ascii=False))
    return events


@pytest.mark.django_db(transaction=True)
def test_resume_replays_to_each_relation_only_what_it_may_see(asgi_server, settings):
    settings.OTP_REQUIRED = False
    build_demo_world()
    # One incident per TLP, each with its own word in title and summary, so a leak names its TLP.
    incidents = {tlp: report(tlp, marker=f"Quetzal{index}x") for index, tlp in enumerate(TLPS)}
    mismatches = []
    for relation, code in RELATION_ORGANISATION.items():
        events = replayed(asgi_server, f"{code.lower()}-duty")
        for index, (tlp, incident) in enumerate(incidents.items()):
            seen = {
                "content": any(f"Quetzal{index}x" in event for event in events),
                "metadata": any(incident.reference in event for event in events),
            }
            expected = sight(relation, tlp)
            got = "content" if seen["content"] else "metadata" if seen["metadata"] else "none"
            if got != expected:
                mismatches.append(f"{relation} at {tlp}: expected {expected}, replayed {got}")
    assert not mismatches, "\n".join(mismatches)
