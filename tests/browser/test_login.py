"""A duty officer signs in through the real login page, with the second factor, in headless Chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, current_code, enrol_authenticator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_duty_officer_signs_in_with_password_and_code_and_the_console_goes_live(
    asgi_server, browser_context, duty_officer, tmp_path
):
    device = enrol_authenticator(duty_officer)
    page = browser_context.new_page()

    page.goto(asgi_server.url + "/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.get_by_label("Username").fill("rs-mod-duty")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/otp/verify/"))
    page.get_by_label("Six-digit code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()

    expect(page).to_have_url(asgi_server.url + "/")
    expect(page.get_by_test_id("current-user")).to_have_text("Marko Petrović")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    expect(page.locator("#clock-utc")).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"))
    page.screenshot(path=str(tmp_path / "console.png"))


def test_a_wrong_password_keeps_the_person_on_the_login_page_with_a_message(asgi_server, browser_context, duty_officer):
    page = browser_context.new_page()
    page.goto(asgi_server.url + "/login/")
    page.get_by_label("Username").fill("rs-mod-duty")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")


def test_after_five_wrong_passwords_the_login_page_says_when_to_try_again(asgi_server, browser_context, duty_officer):
    page = browser_context.new_page()
    page.goto(asgi_server.url + "/login/")
    for password in ["not the password"] * 5 + [PASSWORD]:
        page.get_by_label("Username").fill("rs-mod-duty")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-ins")
    expect(page.get_by_role("alert")).to_contain_text(re.compile(r"Try again after \d\d:\d\d UTC"))
    expect(page).to_have_url(re.compile(r"/login/"))
