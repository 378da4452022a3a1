"""Issue 14: every route of the resolver has an entry in tests/security/matrix.py, and an anonymous caller
gets the outcome its policy names. A new route without an entry fails here."""

import re

import pytest
from django.urls import URLResolver, get_resolver

from tests.security.matrix import ANONYMOUS, ROUTES


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern)


def resolver_routes():
    return {r for r in walk(get_resolver().url_patterns) if not r.startswith("admin/")}


def test_every_route_has_an_entry():
    missing = sorted(resolver_routes() - ROUTES.keys())
    assert not missing, f"routes without a policy; add them to ROUTES in tests/security/matrix.py: {missing}"


def test_every_entry_is_a_route():
    stale = sorted(ROUTES.keys() - resolver_routes())
    assert not stale, f"entries for routes that no longer exist; remove them from tests/security/matrix.py: {stale}"


def concrete(route):
    path = re.sub(r"<int:[^>]+>", "1", route)
    return "/" + re.sub(r"<[^>]+>", "x", path)


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(ROUTES), ids=lambda r: r or "root")
def test_anonymous_outcome(client, route):
    response = client.get(concrete(route))
    assert response.status_code in ANONYMOUS[ROUTES[route].anonymous], (route, response.status_code)
