"""The demo partnership, loaded from the repo's fixture and the real reference data."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from saferplan.partnership.demo import DEMO_PASSWORD, load_demo
from saferplan.partnership.models import Organisation, Partnership, Person, Role, RoleKind, SubGroup, User
from saferplan.partnership.permissions import second_factor_required

pytestmark = pytest.mark.django_db


def test_demo_builds_melton_from_the_shared_data_and_is_safe_to_run_twice(data_dir):
    first = load_demo(data_dir)
    counts = [Model.objects.count() for Model in (Partnership, Organisation, Person, Role, SubGroup, User)]
    second = load_demo(data_dir)
    assert [Model.objects.count() for Model in (Partnership, Organisation, Person, Role, SubGroup, User)] == counts
    melton = second.partnership
    assert first.partnership.pk == melton.pk
    assert melton.area_codes == ["E07000133"] and melton.area_names == ["Melton"]  # name read from the ONS lookup
    assert melton.police_forces == ["Leicestershire Police"]
    responsible = {o.kind for o in melton.organisations.all() if o.is_responsible_authority}
    assert {"district_council", "police", "fire", "probation", "health"} <= responsible
    assert melton.organisations.exclude(kind__in=responsible).exists()
    assert {r.kind for r in Role.objects.filter(partnership=melton)} == set(RoleKind)
    assert melton.sub_groups.count() >= 3 and all(g.members.exists() for g in melton.sub_groups.all())


def test_every_demo_sign_in_works_and_managers_need_a_code(data_dir):
    result = load_demo(data_dir)
    for sign_in in result.sign_ins:
        user = User.objects.get(email=sign_in.email)
        assert user.check_password(DEMO_PASSWORD)
        assert bool(sign_in.totp_secret) == second_factor_required(user), sign_in.email
        client = Client()
        response = client.post(reverse("sign-in"), {"email": sign_in.email, "password": DEMO_PASSWORD})
        expected = reverse("sign-in-code") if sign_in.totp_secret else reverse("home")
        assert response["Location"] == expected, sign_in.email


def test_server_error_page_is_the_services_own(client, settings):
    from saferplan.pages import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
