import pytest
from django.db import IntegrityError, transaction

from tests.factories import TodoFactory, UserFactory
from todos.listing import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, PAGE_SIZE_MIN, ListSort, ListStatus
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


class TestTodoListDefaults:
    def test_no_preferences_give_the_lists_defaults(self):
        defaults = UserFactory.build(preferences={}).todo_list_defaults()
        assert defaults == (ListStatus.ALL, ListSort.NEWEST, PAGE_SIZE_DEFAULT)

    def test_saved_preferences_are_returned_as_the_lists_options(self):
        user = UserFactory.build(
            preferences={"default_status": "active", "default_sort": "-priority", "page_size": 10}
        )
        defaults = user.todo_list_defaults()
        assert defaults == (ListStatus.ACTIVE, ListSort.PRIORITY_DESC, 10)
        assert isinstance(defaults.status, ListStatus)
        assert isinstance(defaults.sort, ListSort)
        assert defaults.page_size == 10

    @pytest.mark.parametrize(
        "preferences",
        [
            {"default_status": "archived", "default_sort": "title", "page_size": 100},
            {"default_status": ["completed"], "default_sort": "title", "page_size": 100},
        ],
    )
    def test_an_unknown_status_falls_back_alone(self, preferences):
        defaults = UserFactory.build(preferences=preferences).todo_list_defaults()
        assert defaults == (ListStatus.ALL, ListSort.TITLE, 100)

    def test_an_unknown_sort_falls_back_alone(self):
        user = UserFactory.build(preferences={"default_status": "completed", "default_sort": "id"})
        assert user.todo_list_defaults()[:2] == (ListStatus.COMPLETED, ListSort.NEWEST)

    @pytest.mark.parametrize(
        "page_size", [PAGE_SIZE_MIN - 1, PAGE_SIZE_MAX + 1, "25", 25.0, True, None]
    )
    def test_a_page_size_that_is_not_a_whole_number_in_range_falls_back(self, page_size):
        user = UserFactory.build(preferences={"default_sort": "due", "page_size": page_size})
        assert user.todo_list_defaults() == (ListStatus.ALL, ListSort.DUE, PAGE_SIZE_DEFAULT)

    @pytest.mark.parametrize("preferences", [[], "dark", 3, None])
    def test_preferences_that_are_not_an_object_are_ignored(self, preferences):
        defaults = UserFactory.build(preferences=preferences).todo_list_defaults()
        assert defaults == (ListStatus.ALL, ListSort.NEWEST, PAGE_SIZE_DEFAULT)


def test_todo_counts_are_the_users_open_and_done_todos():
    user = UserFactory()
    TodoFactory.create_batch(2, owner=user)
    TodoFactory(owner=user, completed=True)
    TodoFactory(completed=True)
    assert user.todo_counts() == {"open": 2, "done": 1}


def test_todo_counts_of_a_user_without_todos_are_zero():
    assert UserFactory().todo_counts() == {"open": 0, "done": 0}
