"""factory_boy factories for the partnership's records, kept in the app (as DBT Data Hub keeps
them) so any app's tests, the permission test's world and the command-line demo checks build a
partnership one way. ``testing.make_partnership``/``make_member`` are the short forms most tests use."""
from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from .models import Organisation, OrganisationKind, Partnership, Person, Role, RoleKind, SubGroup, User

PASSWORD = "correct-horse-battery-staple"


class PartnershipFactory(DjangoModelFactory):
    """Melton's partnership by default: the real district (E07000133) the data slices in
    /work/shared/data cover, with its council and its police as organisations."""

    class Meta:
        model = Partnership
        skip_postgeneration_save = True  # the hooks add other rows; this one is saved already

    name = "Melton Community Safety Partnership"
    slug = "melton"
    area_codes = factory.LazyFunction(lambda: ["E07000133"])
    police_forces = factory.LazyFunction(lambda: ["Leicestershire Police"])

    @factory.post_generation
    def organisations(partnership, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        OrganisationFactory(partnership=partnership, name=f"{partnership.name} council",
                            kind=OrganisationKind.DISTRICT_COUNCIL)
        OrganisationFactory(partnership=partnership, name=f"{partnership.name} police", kind=OrganisationKind.POLICE)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.OTHER


class UserFactory(DjangoModelFactory):
    """A person who signs in, with the tests' one password (``PASSWORD``)."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user.{n}@example.org")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, **kwargs)


class PersonFactory(DjangoModelFactory):
    """A person in the partnership's directory (who may never sign in: ``user`` is None)."""

    class Meta:
        model = Person

    partnership = factory.SubFactory(PartnershipFactory)
    full_name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.LazyAttribute(lambda p: f"{p.full_name.lower().replace(' ', '.')}@example.org")
    organisation = None
    user = None


class RoleFactory(DjangoModelFactory):
    class Meta:
        model = Role

    person = factory.SubFactory(PersonFactory)
    partnership = factory.SelfAttribute("person.partnership")
    kind = RoleKind.MANAGER
    organisation = None


class SubGroupFactory(DjangoModelFactory):
    class Meta:
        model = SubGroup

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Sub-group {n}")
    theme = "Public place safety and reassurance"
