"""Passwords are hashed with Argon2; a PBKDF2 hash from before is replaced by an Argon2 one at the next
sign-in. The harness hashes with MD5 for speed (hotline/testing.py), so these tests put the project's
own hashers back."""

from django.conf import global_settings
from django.contrib.auth.hashers import make_password
from django.test import override_settings

from hotline import settings as project_settings
from tests.conftest import PASSWORD, make_user

# The project's list, or Django's default where the project names none.
real_hashers = override_settings(
    PASSWORD_HASHERS=getattr(project_settings, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)
)


@real_hashers
def test_a_new_password_is_hashed_with_argon2(db):
    user = make_user("rs-mod-duty")
    assert user.password.startswith("argon2$")


@real_hashers
def test_a_pbkdf2_hash_is_upgraded_to_argon2_when_the_person_signs_in(client, db):
    user = make_user("rs-mod-duty")
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    response = client.post("/login/", {"username": "rs-mod-duty", "password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0].startswith("/otp/enrol/")
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert user.check_password(PASSWORD)
