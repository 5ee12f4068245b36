"""The site operator: creating partnerships (pages and command line), inviting their first
manager, suspending and reactivating them, and what they may (not) see."""
from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from saferplan.cli import main
from saferplan.operator import services
from saferplan.operator.testing import make_operator
from saferplan.partnership.models import Invitation, Partnership, RoleKind, User
from saferplan.partnership.testing import PASSWORD, make_member, make_partnership, sign_in_verified
from tests.assessment.web import melton_slice, store  # noqa: F401  (the store fixture)

pytestmark = pytest.mark.django_db


def _link(output: str) -> str:
    return re.search(r"(/invitation/[\w-]+/)", output).group(1)


def test_operator_create_prints_a_one_time_link_that_makes_an_operator_with_a_second_factor(client, capsys):
    assert main(["operator", "create", "ops@council.example", "--name", "Olu Operator"]) == 0
    link = _link(capsys.readouterr().out)
    page = client.post(link, {"full_name": "Olu Operator", "password": PASSWORD})
    user = User.objects.get(email="ops@council.example")
    assert user.is_operator and not user.is_superuser and not user.is_staff
    # Signed in, but nothing opens until the second factor is set up.
    assert client.get(reverse("operator:partnerships")).url == reverse("two-factor-set-up")
    # The link worked once.
    client.logout()
    assert client.get(link).status_code == 404
    assert page.status_code == 302
    assert main(["operator", "create", "ops@council.example"]) == 1
    assert "already a site operator" in capsys.readouterr().err


def test_partnership_create_on_the_command_line(capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        code = main(["partnership", "create", "--name", "Cardiff Community Safety Partnership", "--slug", "cardiff",
                     "--area", "W06000015", "--manager", "Manager@Cardiff.example", "--force", "South Wales Police",
                     "--start", "2026-04-01", "--end", "2029-03-31"])
    out = capsys.readouterr().out
    assert code == 0, out
    cardiff = Partnership.objects.get(slug="cardiff")
    assert cardiff.area_codes == ["W06000015"] and cardiff.area_names == ["Cardiff"]
    assert cardiff.police_forces == ["South Wales Police"] and str(cardiff.plan_end) == "2029-03-31"
    invitation = Invitation.objects.get(partnership=cardiff)
    assert invitation.kind == RoleKind.MANAGER and invitation.email == "manager@cardiff.example"
    assert _link(out) in mail.outbox[0].body
    assert Invitation.find(_link(out).split("/")[2]) == invitation
    # Listed, with its storage and status.
    assert main(["partnership", "list"]) == 0
    listing = capsys.readouterr().out
    assert re.search(r"cardiff\s+active\s+0\s+\d+\s+0", listing), listing


@pytest.mark.parametrize("args,message", [
    (["--area", "E07000999"], "--area entry 1: ‘E07000999’ is not a local authority"),
    (["--area", "E07000133,Meltn"], "--area entry 2: ‘Meltn’ is not a local authority in England or Wales"),
    (["--area", "E07000133"], "no crime data for this area has been loaded"),
    (["--area", "E07000133", "--force", "Leics Police"], "--force: Leics Police is not a police force"),
    (["--area", "E07000133", "--force", "Leicestershire Police", "--slug", "melton"], "slug: The short name melton is already used"),
])
def test_partnership_create_refuses_with_what_is_wrong(capsys, store, args, message):
    # store: a fresh, empty crime store, so no force is known for any area
    make_partnership()
    base = {"--name": "New Partnership", "--slug": "new-one", "--manager": "m@new.example"}
    for flag in args[::2]:
        base.pop(flag, None)
    argv = ["partnership", "create", *[x for kv in base.items() for x in kv], *args]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err, err
    if "Meltn" in message:
        assert "Did you mean Melton?" in err
    assert Partnership.objects.count() == 1 and not Invitation.objects.exists()


def test_forces_and_storage_come_from_the_crime_store(store, tmp_path):
    from saferplan.assessment import services as assessment
    from saferplan.assessment.police import import_police

    melton = make_partnership()
    shared = melton_slice("2024-01", tmp_path / "shared", others=0)
    own = melton_slice("2024-02", tmp_path / "own", others=0)
    with assessment.writing() as conn:
        import_police(conn, [shared["path"]])
        import_police(conn, [own["path"]], owner=melton.pk)
    found = services.forces_found(["E07000133"])
    assert found == [("Leicestershire Police", shared["melton"] + own["melton"])] or found[0][0] == "Leicestershire Police"
    assert services.forces_found(["W06000015"]) == []
    [summary] = services.partnership_summaries([melton])
    assert summary.store_records == own["rows"]
    assert services.shared_store_records() == shared["rows"]
    # Its two organisations and itself; history of both counts as activity.
    assert summary.records == 3 and summary.last_activity is not None


def test_the_operator_creates_a_partnership_on_its_pages(client, store, django_capture_on_commit_callbacks):
    operator = make_operator()
    sign_in_verified(client, operator)
    new = reverse("operator:partnership-new")
    page = client.get(new, {"q": "rhondda"}).content.decode()
    assert "Rhondda Cynon Taf" in page and "W06000016" in page
    client.post(new, {"add": "E07000133"})
    client.post(new, {"add": "E07000134"})  # North West Leicestershire: a merged partnership
    client.post(new, {"add": "E07000134"})
    assert "Add at least one" not in client.post(new, {"continue": "1"}).content.decode()
    details = reverse("operator:partnership-new-details")
    page = client.get(details).content.decode()
    assert "No crime data for this area has been loaded yet" in page
    refused = client.post(details, {"name": "Melton and NW Leics CSP", "slug": "Melton NW", "police_forces": []})
    text = refused.content.decode()
    assert "There is a problem" in text and "lower-case letters" in text and "Select police forces" in text
    assert 'value="Melton and NW Leics CSP"' in text  # what was typed is kept
    done = client.post(details, {"name": "Melton and NW Leics CSP", "slug": "melton-nw",
                                 "police_forces": ["Leicestershire Police"]})
    created = Partnership.objects.get(slug="melton-nw")
    assert done.url == reverse("operator:invite-manager", kwargs={"slug": "melton-nw"})
    assert created.area_codes == ["E07000133", "E07000134"]
    assert created.area_names == ["Melton", "North West Leicestershire"]
    # The first manager, invited by email.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(done.url, {"full_name": "Mo Manager", "email": "mo@melton.example"})
    assert mail.outbox and "Melton and NW Leics CSP" in mail.outbox[0].subject
    assert Invitation.objects.get(partnership=created).invited_by == operator
    # The operator holds no role in it: its pages are not theirs.
    assert client.get(created.get_absolute_url()).status_code == 404
    listing = client.get(reverse("operator:partnerships")).content.decode()
    assert "Melton and NW Leics CSP" in listing and "1 invited" in listing


def test_suspending_closes_staff_pages_and_consultations_and_is_audited(client):
    from saferplan.consultation.testing import make_survey

    partnership = make_partnership()
    manager = make_member(partnership, RoleKind.MANAGER)
    survey = make_survey(partnership)
    operator = make_operator()
    sign_in_verified(client, operator)
    suspend = reverse("operator:suspend", kwargs={"slug": partnership.slug})
    assert "Enter" in client.post(suspend, {"reason": "  "}).content.decode()
    client.post(suspend, {"reason": "The council's contract has ended"})
    partnership.refresh_from_db()
    assert partnership.is_suspended
    last = partnership.history.first()
    assert last.history_user == operator and last.history_change_reason.startswith("Suspended: The council")
    # Its manager sees why, and who to ask; residents see consultations closed.
    client.logout()
    sign_in_verified(client, manager)
    page = client.get(partnership.get_absolute_url())
    assert page.status_code == 403 and "is suspended" in page.content.decode()
    assert "contract has ended" in page.content.decode()
    client.logout()
    home = client.get(reverse("public-consultation:partnership", kwargs={"partnership": partnership.slug}))
    assert "consultations are closed" in home.content.decode()
    assert client.get(survey.public_url() + "questions/q1/").status_code == 302
    # Reactivated: open again.
    sign_in_verified(client, operator)
    client.post(reverse("operator:reactivate", kwargs={"slug": partnership.slug}), {"reason": "Renewed"})
    partnership.refresh_from_db()
    assert not partnership.is_suspended and partnership.history.first().history_change_reason == "Reactivated: Renewed"
    with pytest.raises(Exception, match="not suspended"):
        partnership.reactivate("again")


def test_a_logo_is_checked_stored_and_shown_in_the_headers(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from saferplan.partnership.testing import tiny_png

    partnership = make_partnership()
    manager = make_member(partnership, RoleKind.MANAGER)
    sign_in_verified(client, manager)
    path = reverse("partnership:logo", kwargs={"slug": partnership.slug})
    svg = SimpleUploadedFile("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")
    text = client.post(path, {"logo": svg, "logo_alt": "Melton Borough Council"}).content.decode()
    assert "logo.svg is not a PNG or JPEG image" in text and 'value="Melton Borough Council"' in text
    missing_alt = client.post(path, {"logo": SimpleUploadedFile("logo.png", tiny_png()), "logo_alt": ""})
    assert "There is a problem" in missing_alt.content.decode()
    client.post(path, {"logo": SimpleUploadedFile("logo.png", tiny_png() + b"trailing bytes"), "logo_alt": "Melton Borough Council"})
    partnership.refresh_from_db()
    stored = bytes(partnership.logo_image.data)
    assert partnership.logo_type == "image/png" and not stored.endswith(b"trailing bytes")
    img = f'src="{reverse("partnership-logo", kwargs={"slug": partnership.slug})}" alt="Melton Borough Council"'
    assert img in client.get(partnership.get_absolute_url()).content.decode().split("</header>")[0]
    client.logout()
    public = client.get(reverse("public-consultation:partnership", kwargs={"partnership": partnership.slug}))
    assert img in public.content.decode().split("</header>")[0]
    logo = client.get(reverse("partnership-logo", kwargs={"slug": partnership.slug}))
    assert logo["Content-Type"] == "image/png" and logo.content == stored


def test_the_operator_list_takes_the_same_queries_for_two_partnerships_as_for_six():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from saferplan.consultation.testing import make_survey

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            rows = services.partnership_summaries()
        assert len(rows) == Partnership.objects.count()
        return len(captured.captured_queries)

    for n in range(2):
        p = make_partnership(f"Partnership {n}", f"p{n}", ("E07000133",))
        make_member(p, RoleKind.MANAGER)
        make_survey(p)
    two = queries()
    for n in range(2, 6):
        p = make_partnership(f"Partnership {n}", f"p{n}", ("E07000133",))
        make_member(p, RoleKind.MANAGER)
        make_survey(p)
    assert queries() == two
    # A survey's questions and options are the partnership's rows too (through the survey).
    [summary] = services.partnership_summaries([Partnership.objects.get(slug="p0")])
    assert summary.records > 20 and summary.managers == 1


def test_someone_with_an_account_becomes_operator_by_signing_in_first(client, capsys):
    partnership = make_partnership()
    manager = make_member(partnership, RoleKind.MANAGER)
    assert main(["operator", "create", manager.email]) == 0
    link = _link(capsys.readouterr().out)
    assert client.get(link).url.startswith(reverse("sign-in"))
    sign_in_verified(client, manager)
    client.post(link)
    manager.refresh_from_db()
    assert manager.is_operator
    # Still a manager of Melton, and now the operator's pages open too.
    assert client.get(partnership.get_absolute_url()).status_code == 200
    assert client.get(reverse("operator:partnerships")).status_code == 200
    # Someone else signed in cannot use a link made for another address.
    other = make_member(partnership, RoleKind.ANALYST)
    assert main(["operator", "create", "new.ops@site.example"]) == 0
    link = _link(capsys.readouterr().out)
    client.logout()
    sign_in_verified(client, other)
    assert client.post(link).status_code == 403
    other.refresh_from_db()
    assert not other.is_operator
