import pytest

from saferplan.consultation.testing import make_survey
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import make_member, make_partnership, sign_in_verified


@pytest.fixture
def partnership(db):
    return make_partnership()


@pytest.fixture
def survey(partnership):
    return make_survey(partnership)


@pytest.fixture
def manager(partnership):
    return make_member(partnership, RoleKind.MANAGER)


@pytest.fixture
def staff_client(client, manager):
    sign_in_verified(client, manager)
    return client
