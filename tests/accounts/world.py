"""The demo world (seven parties, secretariat, observers, people, rosters, contact points), for tests."""

from django.test import override_settings

from accounts.demo import load_demo_data
from accounts.models import Organisation, User


def build_demo_world() -> None:
    with override_settings(DEMO_MODE=True):
        load_demo_data()


def person(username: str) -> User:
    return User.objects.select_related("organisation").get(username=username)


def organisation(code: str) -> Organisation:
    return Organisation.objects.get(code=code)
