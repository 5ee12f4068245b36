"""A partnership never loses its last manager who can sign in, whichever way the manager would go."""
from __future__ import annotations

import pytest
from django.urls import reverse

from saferplan.partnership import services
from saferplan.partnership.models import Person, Role, RoleKind, User
from saferplan.partnership.testing import make_member, sign_in_verified


def test_removing_the_only_managers_person_record_is_refused_with_a_clear_message(client, partnership, manager):
    sign_in_verified(client, manager)
    person = Person.objects.get(user=manager)
    url = reverse("partnership:person-remove", kwargs={"slug": partnership.slug, "pk": person.pk})
    response = client.post(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "is the partnership’s only manager. Give someone else the manager role before removing them" in page
    assert "govuk-error-summary" in page
    assert Person.objects.filter(pk=person.pk).exists()
    assert Role.objects.filter(person=person, kind=RoleKind.MANAGER).exists()


def test_a_manager_can_be_removed_when_another_manager_remains(client, partnership, manager):
    other = make_member(partnership, RoleKind.MANAGER)
    sign_in_verified(client, manager)
    person = Person.objects.get(user=other)
    url = reverse("partnership:person-remove", kwargs={"slug": partnership.slug, "pk": person.pk})
    assert client.post(url).status_code == 302
    assert not Person.objects.filter(pk=person.pk).exists()


def test_a_manager_whose_account_is_switched_off_does_not_count(partnership, manager):
    other = make_member(partnership, RoleKind.MANAGER)
    User.objects.filter(pk=other.pk).update(is_active=False)
    with pytest.raises(_last_manager_error()):
        Person.objects.get(user=manager).delete()


def _last_manager_error():
    from saferplan.partnership.models import LastManagerError

    return LastManagerError


def test_the_only_managers_account_cannot_be_switched_off_or_deleted(partnership, manager):
    with pytest.raises(_last_manager_error(), match="only manager of Melton Community Safety Partnership"):
        services.deactivate_user(manager)
    manager.refresh_from_db()
    assert manager.is_active
    manager.is_active = False
    with pytest.raises(_last_manager_error()):
        manager.save()
    with pytest.raises(_last_manager_error()):
        User.objects.get(pk=manager.pk).delete()
    assert User.objects.filter(pk=manager.pk, is_active=True).exists()


def test_an_account_can_be_switched_off_when_another_manager_remains(partnership, manager):
    make_member(partnership, RoleKind.MANAGER)
    services.deactivate_user(manager)
    manager.refresh_from_db()
    assert not manager.is_active


def test_changing_the_only_managers_role_to_another_kind_is_refused(partnership, manager):
    role = Role.objects.get(person__user=manager)
    role.kind = RoleKind.ANALYST
    with pytest.raises(_last_manager_error()):
        role.save()
    assert Role.objects.get(pk=role.pk).kind == RoleKind.MANAGER


def test_removing_the_only_manager_role_directly_is_still_refused(partnership, manager):
    role = Role.objects.get(person__user=manager)
    with pytest.raises(_last_manager_error()):
        role.delete()
    assert Role.objects.filter(pk=role.pk).exists()
