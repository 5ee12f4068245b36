"""Page objects for user journeys: each method is one thing a person does, checked with axe."""
from __future__ import annotations

import base64

from django_otp.oath import totp


def code_for_secret(secret: str) -> str:
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{totp(key):06d}"


def code_for_device(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


class Journey:
    def __init__(self, browse):
        self.browse = browse
        self.page = browse.page

    def visit(self, path: str):
        self.page.goto(path)
        self.browse.axe()
        return self

    def submit(self, button: str):
        self.page.get_by_role("button", name=button).click()
        self.page.wait_for_load_state("load")
        self.browse.axe()
        return self

    def click_link(self, name: str):
        self.page.get_by_role("link", name=name, exact=True).first.click()
        self.page.wait_for_load_state("load")
        self.browse.axe()
        return self

    def sign_in(self, email: str, password: str):
        self.visit("/sign-in/")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password").fill(password)
        return self.submit("Continue")

    def enter_code(self, code: str, button: str = "Sign in"):
        self.page.get_by_label("Security code").fill(code)
        return self.submit(button)

    def heading(self) -> str:
        return self.page.locator("h1").first.inner_text().strip()

    def error_summary(self) -> list[str]:
        return [t.strip() for t in self.page.locator(".govuk-error-summary__list li").all_inner_texts()]
