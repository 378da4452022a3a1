"""Who may keep the console's live channel open: the one answer, checked when the channel opens and again
before every push it forwards and every ping (at most once every few seconds per channel).

The session must still exist and be unexpired, name the same person, carry that person's current auth
hash (a password change invalidates it, as Django's own get_user does) and its second factor; and the
person must still be active; and the session must not be past HOTLINE_SESSION_MAX_HOURS.
"""

from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.utils.crypto import constant_time_compare

from accounts.models import User
from hotline.console.second_factor import has_passed_second_factor
from hotline.console.sessions import SessionStore, session_reached_limit


def session_still_holds(session_key: str, user_id: int) -> bool:
    session = SessionStore(session_key).load()  # {} when the session was deleted or has expired
    if not session or str(session.get(SESSION_KEY)) != str(user_id) or session_reached_limit(session):
        return False
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    session_hash = session.get(HASH_SESSION_KEY) or ""
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    if not session_hash or not any(constant_time_compare(session_hash, known) for known in hashes):
        return False
    return has_passed_second_factor(user, session)
