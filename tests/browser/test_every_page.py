"""axe-core on every page of the service: each GET URL a manager (or anyone, for public pages)
may open, in the permission test's world, is opened in Chromium and checked for WCAG 2.2 AA."""
from __future__ import annotations

import pytest

from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import PASSWORD, add_totp
from tests.partnership.test_permissions import ACCESS, build_world

from .pages import Journey, code_for_device

pytestmark = pytest.mark.django_db(transaction=True)

# Pages that only redirect a signed-in manager somewhere already checked.
REDIRECTS = {"home", "sign-in", "sign-in-code", "two-factor-set-up", "password_reset_confirm"}


def _visible_to_manager(rule) -> bool:
    return rule in ("public", "signed-in") or (isinstance(rule, (set, frozenset)) and RoleKind.MANAGER in rule)


PHONE = {"width": 390, "height": 844}


def _fits_the_screen(page) -> list[str]:
    """Elements sticking out past the right edge of the viewport: content a phone user cannot
    reach without scrolling the whole page sideways (a scroll region of its own is fine)."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= width) return [];
        const clipped = e => {
            for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
                if (getComputedStyle(a).overflowX !== 'visible') return true;
            }
            return false;
        };
        return [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 1 && e.getClientRects().length && !clipped(e))
            .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''));
    }""")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_every_page_a_manager_can_open_passes_axe(browse, viewport):
    if viewport:
        browse.page.set_viewport_size(viewport)
    world = build_world()
    manager = world["users"][RoleKind.MANAGER]
    device = add_totp(manager)
    journey = Journey(browse)
    journey.sign_in(manager.email, PASSWORD).enter_code(code_for_device(device))
    checked, problems = [], []
    for name in sorted(n for n, rule in ACCESS.items() if _visible_to_manager(rule) and n not in REDIRECTS):
        path = world["url"](name)
        # Downloads (CSV, PDF, Word, JSON, SVG) are not pages: ask first, with the same session.
        answer = browse.page.request.get(path, max_redirects=0)
        if answer.status != 200 or "text/html" not in answer.headers.get("content-type", ""):
            continue
        try:
            journey.visit(path)
        except AssertionError as failure:  # every failing page is listed, not only the first
            problems.append(str(failure))
            continue
        if viewport and (overflow := _fits_the_screen(browse.page)):
            problems.append(f"{path} is wider than a {viewport['width']}px screen: {overflow}")
        checked.append(name)
    assert not problems, "\n\n".join(problems)
    # Most of the service is pages: a broken table or URL builder would make this list short.
    assert len(checked) > 60, checked
