import factory.random
import pytest
from hypothesis import HealthCheck, settings

from tests.factories import DEFAULT_PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def same_factory_data_every_run(request):
    """Faker's titles, descriptions and dates the same on every run of a test, in any order,
    so that a failure comes back on the next run."""
    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture
def password():
    return DEFAULT_PASSWORD


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def staff(db):
    """A staff account: the admin login lets them in."""
    return UserFactory(is_staff=True)


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


# Property-based tests (tests/security): the same examples on every run so CI is deterministic,
# no per-example deadline (a request's time depends on the machine), and function-scoped
# fixtures shared by the examples (each example rolls its own writes back). Another profile can
# be chosen with --hypothesis-profile.
settings.register_profile(
    "suite",
    deadline=None,
    max_examples=40,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.load_profile("suite")
