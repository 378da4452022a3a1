"""Every console page works under the Content-Security-Policy (scripts and styles from our own static
files only): a duty officer walks the console and the browser reports no violation, the live channel
connects, and the API's documentation pages still render under their own, wider policy."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.accounts.world import build_demo_world, person
from tests.conftest import PASSWORD, sign_in
from tests.incidents.reports import report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""
CONSOLE_PAGES = [
    "/",
    "/incidents/",
    "/incidents/new/",
    "/waiting/",
    "/notifications/exercises/",
    "/notifications/exercises/new/",
    "/notifications/drone-flights/",
    "/notifications/drone-flights/new/",
    "/notifications/calendar/",
    "/notifications/policy/",
    "/checks/",
    "/directory/",
    "/rosters/",
    "/escalation/policies/",
    "/audit/checkpoints/",
]


def test_a_duty_officer_walks_every_console_page_without_a_policy_violation(asgi_server, browser_context):
    build_demo_world()
    incident = report(person("rs-mod-duty"), to=("HR-MOD",))
    officer = User.objects.get(username="hr-mod-duty")
    officer.set_password(PASSWORD)
    officer.save()
    browser_context.add_init_script(RECORD_VIOLATIONS)
    page = browser_context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    sign_in(page, asgi_server, officer)  # waits for the live channel: connect-src lets the WebSocket through
    violations = {}
    for path in [*CONSOLE_PAGES, f"/incidents/{incident.reference}/"]:
        response = page.goto(asgi_server.url + path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")
        found = page.evaluate("window.__violations")
        if found:
            violations[path] = found
    assert violations == {}
    assert errors == []


def test_an_injected_inline_script_does_not_run(asgi_server, browser_context):
    build_demo_world()
    officer = User.objects.get(username="hr-mod-duty")
    officer.set_password(PASSWORD)
    officer.save()
    browser_context.add_init_script(RECORD_VIOLATIONS)
    page = browser_context.new_page()
    sign_in(page, asgi_server, officer)
    page.evaluate(
        """() => { const s = document.createElement("script"); s.textContent = "window.__ran = true";
        document.body.append(s); }"""
    )
    assert page.evaluate("window.__ran === true") is False
    assert any(v.startswith("script-src") for v in page.evaluate("window.__violations"))


def test_the_api_documentation_renders_under_its_own_policy(asgi_server, browser_context):
    build_demo_world()
    officer = User.objects.get(username="hr-mod-duty")
    officer.set_password(PASSWORD)
    officer.save()
    page = browser_context.new_page()
    sign_in(page, asgi_server, officer)
    page.goto(asgi_server.url + "/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Hotline API")
    page.goto(asgi_server.url + "/api/redoc/")
    expect(page.get_by_role("heading", name="Hotline API")).to_be_visible()
