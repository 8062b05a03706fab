"""The Content Security Policy in a real browser (CSP on, unlike the axe tests): the letter page,
its signing form with the proof of work, and the admin report no violation."""

import pytest
from django.contrib.auth import get_user_model

from tests.browser.test_pages import demo_site  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

COLLECT = """() => { window.__csp = []; document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || e.sourceFile))); }"""


@pytest.fixture
def strict_page(browser):
    context = browser.new_context(locale="fr-FR")  # bypass_csp stays off
    context.add_init_script(f"({COLLECT})()")
    page = context.new_page()
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.console_csp = console
    yield page
    context.close()


def violations(page):
    return page.evaluate("window.__csp") + page.console_csp


def test_the_letter_page_and_its_proof_of_work_break_no_rule(strict_page, demo_site):  # noqa: F811
    page = strict_page
    page.goto(f"{demo_site}/fr/lettre-ouverte/")
    page.locator("#id_first_name").first.focus()  # starts the ALTCHA challenge and its worker
    page.wait_for_function(
        "() => { const i = document.querySelector('input[name=altcha]'); return i && i.value; }",
        timeout=30000,
    )
    token = page.locator("input[name=form_token]").first.input_value()
    assert token  # it came with the challenge: the cached page held none
    assert violations(page) == []


def test_the_admin_breaks_no_rule(strict_page, demo_site):  # noqa: F811
    user = get_user_model().objects.create_superuser("csp", "csp@example.org", "not-used-12345")
    page = strict_page
    page.goto(f"{demo_site}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "not-used-12345")
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"{demo_site}/admin/")
    for path in ("/admin/", "/admin/pages/", "/admin/signatures/submissions/"):
        page.goto(demo_site + path)
    assert violations(page) == []
