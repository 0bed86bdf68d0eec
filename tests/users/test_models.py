import pytest
from django.db import IntegrityError, transaction

from tests.factories import TodoFactory, UserFactory
from users.models import User

pytestmark = pytest.mark.django_db


def test_str_is_the_username():
    assert str(UserFactory.build(username="ada")) == "ada"


@pytest.mark.parametrize("age", [-1, 151])
def test_age_outside_0_to_150_is_refused_by_the_database(age):
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(age=age)


@pytest.mark.parametrize("age", [0, 150, None])
def test_age_bounds_and_empty_are_allowed(age):
    user = UserFactory(age=age)
    user.refresh_from_db()
    assert user.age == age


def test_username_is_unique_ignoring_case():
    UserFactory(username="Alice")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="alice")


def test_email_is_unique_ignoring_case():
    UserFactory(email="Alice@Example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="alice@example.com")


def test_several_users_may_have_no_email():
    UserFactory(email="")
    UserFactory(email="")
    assert User.objects.filter(email="").count() == 2


def test_unique_username_constraint_reports_a_clear_validation_error():
    UserFactory(username="Alice")
    user = UserFactory.build(username="ALICE")
    with pytest.raises(Exception, match="already exists"):
        user.validate_constraints()


def test_natural_key_is_the_username():
    user = UserFactory(username="grace")
    assert user.natural_key() == ("grace",)
    assert User.objects.get_by_natural_key("grace") == user


def test_preferences_default_to_an_empty_dict():
    user = UserFactory()
    user.refresh_from_db()
    assert user.preferences == {}


def test_users_are_ordered_by_username():
    UserFactory(username="zed")
    UserFactory(username="amy")
    assert list(User.objects.values_list("username", flat=True)) == ["amy", "zed"]


def test_todo_counts_are_the_users_open_and_done_todos():
    user = UserFactory()
    TodoFactory.create_batch(2, owner=user)
    TodoFactory(owner=user, completed=True)
    TodoFactory(completed=True)
    assert user.todo_counts() == {"open": 2, "done": 1}


def test_todo_counts_of_a_user_without_todos_are_zero():
    assert UserFactory().todo_counts() == {"open": 0, "done": 0}
