import pytest

from nim_portal.choices import DEFAULT_VETTING_CLEARANCE
from nim_portal.models import VettingClearance
from tests.factories import HierarchyFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs about 0.4 s a user; the tests check rules, not the hash's strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def hierarchy(db):
    return HierarchyFactory()


@pytest.fixture
def vetting_table(transactional_db):
    """The vetting table as the migration seeds it (a transactional test's flush empties it)."""
    for level, marking in DEFAULT_VETTING_CLEARANCE.items():
        VettingClearance.objects.get_or_create(
            vetting_level=level, defaults={"max_marking": marking}
        )
