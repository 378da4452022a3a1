"""A reviewer opens the audit log, sees the chain verified, downloads a checkpoint and picks an action."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from hotline.audit.checkpoints import do_publish_checkpoint
from hotline.audit.signing import open_checkpoint, verifier_key
from tests.accounts.world import build_demo_world
from tests.conftest import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_sees_the_chain_verified_and_downloads_a_checkpoint(asgi_server, browser_context, tmp_path):
    build_demo_world()
    reviewer = User.objects.get(username="wbc-sec-reviewer")
    reviewer.set_password(PASSWORD)
    reviewer.save()
    page = browser_context.new_page()
    sign_in(page, asgi_server, reviewer)  # recorded: login, second factor
    do_publish_checkpoint()

    page.get_by_role("link", name="Audit").click()
    expect(page.get_by_test_id("chain-status")).to_contain_text("Chain verified up to entry")
    expect(page.get_by_test_id("audit-entries")).to_contain_text("wbc-sec-reviewer")
    with page.expect_download() as download:
        page.get_by_test_id("download-latest-checkpoint").click()
    note = open(download.value.path(), encoding="utf-8").read()
    checkpoint = open_checkpoint(note, verifier_key())
    assert checkpoint.size >= 2
    page.get_by_label("Action").select_option("login.failed")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("audit-entries")).to_contain_text("No entry matches.")
    page.get_by_label("Action").select_option("second_factor.verified")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("audit-entries")).to_contain_text("wbc-sec-reviewer")
    page.screenshot(path=str(tmp_path / "audit.png"), full_page=True)
