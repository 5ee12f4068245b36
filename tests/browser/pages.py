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
        SignInPage(self).sign_in(email, password)
        return self

    def enter_code(self, code: str, button: str = "Sign in"):
        SecurityCodePage(self).enter(code, button)
        return self

    def heading(self) -> str:
        return self.page.locator("h1").first.inner_text().strip()

    def error_summary(self) -> list[str]:
        return [t.strip() for t in self.page.locator(".govuk-error-summary__list li").all_inner_texts()]


# --- Page objects ---------------------------------------------------------------------------------
# One class per page a journey visits, with named locators found the way a person finds things
# (role and accessible name, label, a table's caption); an id only where the page gives a region no
# name. Actions go through the Journey, so axe-core checks every page they lead to.


class Page:
    def __init__(self, journey: Journey):
        self.journey = journey
        self.page = journey.page

    @property
    def title(self):
        return self.page.get_by_role("heading", level=1)

    @property
    def success_banner(self):
        return self.page.locator(".govuk-notification-banner")

    def table(self, caption: str):
        """A table found by its caption (its accessible name), as a screen reader user finds it."""
        return self.page.get_by_role("table", name=caption)


# Signing in and the plan cycle (partnership) ------------------------------------------------------


class SignInPage(Page):
    path = "/sign-in/"

    @property
    def email(self):
        return self.page.get_by_label("Email address")

    @property
    def password(self):
        return self.page.get_by_label("Password")

    def sign_in(self, email: str, password: str):
        self.journey.visit(self.path)
        self.email.fill(email)
        self.password.fill(password)
        self.journey.submit("Continue")
        return self


class SecurityCodePage(Page):
    @property
    def code(self):
        return self.page.get_by_label("Security code")

    def enter(self, code: str, button: str = "Sign in"):
        self.code.fill(code)
        self.journey.submit(button)
        return self


class SetUpSecondFactorPage(SecurityCodePage):
    @property
    def secret(self):
        return self.page.locator("#totp-secret")  # the key shown to type into an app: no name of its own

    @property
    def recovery_codes(self):
        return self.page.locator("#recovery-codes li")

    def turn_on(self):
        self.enter(code_for_secret(self.secret.inner_text()), button="Turn on second factor")
        return self.recovery_codes.all_inner_texts()


class PlanCyclePage(Page):
    @property
    def stages(self):
        return self.page.locator(".govuk-task-list__item")

    def stage_link(self, name: str):
        return self.page.get_by_role("link", name=name)

    @property
    def sign_out(self):
        return self.page.get_by_role("button", name="Sign out")


class StagePage(Page):
    @property
    def why(self):
        return self.page.locator("#stage-why")

    @property
    def mark_done(self):
        return self.page.get_by_label("Yes, mark it done")

    def save(self):
        self.journey.submit("Save")


class OrganisationsPage(Page):
    @property
    def add_organisation(self):
        return self.page.get_by_role("link", name="Add an organisation")


class OrganisationFormPage(Page):
    @property
    def name(self):
        return self.page.get_by_label("Name")

    @property
    def website(self):
        return self.page.get_by_label("Website (optional)")

    def kind(self, label: str):
        return self.page.get_by_label(label)

    @property
    def first_error_link(self):
        return self.page.locator(".govuk-error-summary__list a").first

    def add(self):
        self.journey.submit("Add organisation")


class RecordPage(Page):
    """A directory record's page (organisation, person, sub-group) with its history of changes."""

    @property
    def history(self):
        return self.table("Who changed what, and when, newest first")


# The strategic assessment ---------------------------------------------------------------------------


class PoliceUploadPage(Page):
    @staticmethod
    def path(partnership) -> str:
        return f"/p/{partnership.slug}/assessment/data/police/"

    @property
    def files(self):
        return self.page.get_by_label("police.uk files")

    @property
    def server_folder(self):
        return self.page.get_by_label("Folder or file on the server")

    def upload(self, *paths):
        self.files.set_input_files(list(paths))
        self.journey.submit("Upload and import")

    def import_from_server(self, folder):
        self.page.get_by_text("Import from a folder on the server").click()
        self.server_folder.fill(str(folder))
        self.journey.submit("Import from the server")


class ImportPage(Page):
    @property
    def counts(self):
        return self.page.locator("#import-counts")  # a summary list: lists have no accessible name

    @property
    def shrinking_months(self):
        return self.table("Months that would shrink to under half")

    def replace_anyway(self):
        self.journey.submit("Replace the records anyway")

    def retry(self):
        self.journey.submit("Retry the import")


class ImportsPage(Page):
    @property
    def imports(self):
        return self.table("Recent imports, newest first")

    @property
    def data_changes(self):
        return self.table("Changes to the data, newest first")


class AssessmentPage(Page):
    @property
    def period(self):
        return self.page.locator(".govuk-body-l").first

    @property
    def categories(self):
        return self.page.locator("#table-categories")  # its caption names the period, which varies

    @property
    def charts(self):
        return self.page.locator("img.app-chart__image")

    @property
    def hotspot_method(self):
        return self.page.locator("#hotspot-method")

    @property
    def draft_findings(self):
        return self.page.get_by_role("button", name="Draft findings to review")

    @property
    def publication_notice(self):
        return self.page.locator(".govuk-inset-text").first


class FindingReviewPage(Page):
    @property
    def finding(self):
        return self.page.get_by_label("Finding", exact=True)

    @property
    def accept(self):
        return self.page.get_by_label("Accept: this is a finding of the assessment")

    def save(self):
        self.journey.submit("Save decision")


class FindingPage(Page):
    @property
    def status(self):
        return self.page.locator("#finding-status")

    @property
    def history(self):
        return self.table("Who changed what, and when, newest first")


class HarmWeightsPage(Page):
    @staticmethod
    def path(partnership) -> str:
        return f"/p/{partnership.slug}/assessment/harm-weights/"

    def weight_for(self, category: str):
        return self.page.get_by_label(f"Weight for {category}, in days")

    @property
    def method(self):
        return self.page.locator("#harm-method")

    def save(self):
        self.journey.submit("Save weights")


# The public consultation ------------------------------------------------------------------------------


class QuestionPage(Page):
    """One question of a survey, as a resident answers it."""

    def option(self, label: str, group: str | None = None):
        scope = self.page.get_by_role("group", name=group) if group else self.page
        return scope.get_by_label(label, exact=True)

    @property
    def text_answer(self):
        return self.page.get_by_role("textbox").first

    def choose(self, *labels, group: str | None = None):
        for label in labels:
            self.option(label, group).check()
        return self

    def type(self, text: str, label: str | None = None):
        (self.page.get_by_label(label) if label else self.text_answer).fill(text)
        return self

    def next(self):
        self.journey.submit("Continue")
        return self


class CheckAnswersPage(Page):
    @property
    def answers(self):
        return self.page.locator(".govuk-summary-list")  # a description list: it has no role to find it by

    def change(self, question: str):
        return self.page.get_by_role("link", name=f"Change your answer to: {question}")

    def send(self):
        self.journey.submit("Send response")


class ResponseSentPage(Page):
    @property
    def reference(self):
        return self.page.locator("#reference")


class ConsultationsPage(Page):
    """A partnership's public page of consultations and drop-in sessions."""

    @property
    def sessions(self):
        return self.table("Sessions still to come")


# The consultation's staff pages -------------------------------------------------------------------------


class EngagementEventFormPage(Page):
    def date(self, day: int, month: int, year: int):
        self.page.get_by_label("Day").fill(str(day))
        self.page.get_by_label("Month").fill(str(month))
        self.page.get_by_label("Year").fill(str(year))

    def kind(self, label: str):
        return self.page.get_by_label(label)

    @property
    def place(self):
        return self.page.get_by_label("Place")

    @property
    def participants(self):
        return self.page.get_by_label("Number of participants")

    @property
    def summary(self):
        return self.page.get_by_label("Summary of feedback")

    def add(self):
        self.journey.submit("Add engagement event")


class AnalysisPage(Page):
    @property
    def rows(self):
        return self.page.get_by_label("Rows")

    @property
    def columns(self):
        return self.page.get_by_label("Columns")

    def cross_tabulate(self, rows: str, columns: str):
        self.rows.select_option(rows)
        self.columns.select_option(columns)
        self.journey.submit("Show cross-tabulation")

    @property
    def cross_tabulation(self):
        return self.page.locator(".app-crosstab")  # its caption names the two questions chosen


class RedactionsPage(Page):
    @property
    def redacted(self):
        return self.table("Answers redacted by staff, most recent first")


class ResponsesPage(Page):
    @property
    def responses(self):
        return self.page.get_by_role("table").first
