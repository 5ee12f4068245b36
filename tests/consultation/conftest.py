import pytest

from saferplan.consultation.testing import make_survey
from saferplan.partnership.testing import sign_in_verified


@pytest.fixture
def survey(partnership):
    return make_survey(partnership)


@pytest.fixture
def staff_client(client, manager):
    sign_in_verified(client, manager)
    return client
