"""API rate limits (issue 14): per API key and per signed-in person, and per client address for requests that
fail to authenticate; `429 rate_limited` with `Retry-After`; counted in Redis, so every web process shares
the count; a limiter without Redis lets traffic through.

The suite's own limits are set out of reach (hotline/testing.py); each test here sets its own, small."""

import time
import urllib.error
import urllib.request

import pytest
import redis
from django.test import Client

from hotline.audit.models import AuditEntry
from hotline.ratelimit import RATE_KEY_PREFIX
from incidents.models import Message
from tests.accounts.world import build_demo_world
from tests.audit.test_concurrent_appends import database_url_of_the_test_database
from tests.conftest import free_port, hotline_env, start_web_process, stop_process
from tests.incidents.conftest import make_key_client

INCIDENTS = "/api/v1/incidents/"


def forget_counts(url: str) -> None:
    """The test's Redis is the test's own (the embedded one, or CI's database number): no other test's count
    may be seen, as an id of the rolled-back database comes again."""
    client = redis.Redis.from_url(url)
    try:
        for key in client.scan_iter(f"{RATE_KEY_PREFIX}*"):
            client.delete(key)
    finally:
        client.close()


@pytest.fixture
def limits(settings):
    settings.API_RATE_PER_CALLER = 5
    settings.API_RATE_PER_ADDRESS = 3
    settings.API_RATE_WINDOW_SECONDS = 60
    forget_counts(settings.REDIS_URL)
    return settings


def refused_json(response, retry_after_at_most: int):
    assert response.status_code == 429, response.content[:300]
    body = response.json()
    assert body["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= retry_after_at_most
    assert body["retry_after"] == int(response["Retry-After"])
    return body


def test_a_key_over_its_limit_is_answered_429_with_retry_after_and_its_post_changes_nothing(
    limits, api_key_client, api_report
):
    incident = api_report(to=["HR-CERT"])
    hr_cert = api_key_client("HR-CERT")
    url = f"{INCIDENTS}{incident.pk}/messages/"
    for number in range(5):
        assert hr_cert.post(url, {"body": f"Update {number}", "kind": "information"}).status_code == 201
    before = Message.objects.count()
    refused = hr_cert.post(url, {"body": "One too many", "kind": "information"})
    refused_json(refused, 60)
    assert Message.objects.count() == before, "a refused request had no effect"
    # Once per window, the log says which key was limited; the later refusals are not written one by one.
    hr_cert.get(url)
    [entry] = AuditEntry.objects.filter(action="api.rate_limited")
    assert entry.organisation == "HR-CERT" and entry.actor.startswith("api-key:")


def test_each_key_and_each_person_has_a_count_of_its_own(limits, api_key_client, api_report):
    incident = api_report(to=["HR-CERT"])
    first, second = api_key_client("HR-CERT"), api_key_client("HR-CERT")
    for _ in range(5):
        assert first.get(f"{INCIDENTS}{incident.pk}/").status_code == 200
    refused_json(first.get(f"{INCIDENTS}{incident.pk}/"), 60)
    assert second.get(f"{INCIDENTS}{incident.pk}/").status_code == 200, "another key of the same organisation"


def test_an_address_whose_requests_fail_to_authenticate_is_refused_before_any_key_is_looked_up(
    limits, django_assert_max_num_queries, db
):
    stranger = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        assert stranger.get(INCIDENTS, HTTP_AUTHORIZATION="Api-Key abcdefgh.wrong").status_code == 401
    with django_assert_max_num_queries(0):
        refused_json(stranger.get(INCIDENTS, HTTP_AUTHORIZATION="Api-Key abcdefgh.wrong"), 60)
    assert Client(REMOTE_ADDR="203.0.113.10").get(INCIDENTS).status_code == 401, "another address is not refused"


def test_the_count_starts_again_after_retry_after(limits, api_key_client):
    # One request a window, so the second within a window is refused even when a loaded machine takes most
    # of the window to answer the first; a window may turn between two requests, hence a few tries.
    limits.API_RATE_PER_CALLER = 1
    limits.API_RATE_WINDOW_SECONDS = 2
    client = api_key_client("HR-CERT")
    answers = (client.get(INCIDENTS) for _ in range(20))
    refused = next(answer for answer in answers if answer.status_code == 429)
    time.sleep(int(refused_json(refused, 2)["retry_after"]))
    assert client.get(INCIDENTS).status_code == 200


def test_without_redis_the_limiter_lets_traffic_through(limits, api_key_client):
    limits.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    client = api_key_client("HR-CERT")
    assert {client.get(INCIDENTS).status_code for _ in range(8)} == {200}


def get(url: str, key: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Api-Key {key}"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_web_processes_share_one_count(settings, tmp_path):
    build_demo_world()
    forget_counts(settings.REDIS_URL)
    client = make_key_client("HR-CERT")
    env = hotline_env(
        DATABASE_URL=database_url_of_the_test_database(),
        REDIS_URL=settings.REDIS_URL,
        HOTLINE_DATA_DIR=str(tmp_path),
        HOTLINE_API_RATE_PER_CALLER="6",
        HOTLINE_API_RATE_WINDOW_SECONDS="60",
    )
    processes = []
    try:
        processes = [start_web_process(env, tmp_path / f"web-{number}.log") for number in (1, 2)]
        answers = [get(base + INCIDENTS, client.secret) for _ in range(4) for _, base in processes]
    finally:
        for process, _ in processes:
            stop_process(process)
    # Alternating between the two, 8 requests: each process alone saw 4 (under 6); together they are 8.
    assert answers.count(200) == 6 and answers.count(429) == 2, answers
