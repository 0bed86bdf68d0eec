"""Random input in every field of the sign-up, profile and todo forms (hypothesis).

Whatever is typed: never a 500; refused input changes nothing in the database; accepted input
is stored exactly as typed, after the normalisation each field documents:

- text fields (title, description, city, email, username) are stripped of surrounding
  whitespace (Django's CharField, str.strip());
- usernames are then NFKC-normalised (Django's UsernameField); emails get a lower-case domain
  (UserManager.normalize_email);
- tags are split on commas, each stripped, blanks dropped, repeats (ignoring case) dropped, the
  first spelling kept; a tag the owner already has (by the database's LOWER()) keeps its stored
  spelling;
- numbers are read by int() after a trailing ".000" is dropped (Django's IntegerField); dates
  by Django's DateField input formats; a checkbox is on unless empty or "false";
- choices (status, sort, priority) must be one of the values exactly; an empty priority is
  "normal".

The data goes as a browser sends a form: application/x-www-form-urlencoded, UTF-8. Lone
surrogates cannot be encoded in UTF-8, so no browser sends them and neither do these tests.
"""

import re
import unicodedata
from contextlib import contextmanager
from http import HTTPStatus
from urllib.parse import urlencode

import pytest
from django import forms
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.test import Client
from django.urls import reverse
from hypothesis import event, example, given
from hypothesis import strategies as st

from tests.factories import TodoFactory, UserFactory
from tests.helpers import database_snapshot
from todos.listing import ListSort, ListStatus
from todos.models import Priority, Tag, Todo
from todos.services import tags_get_or_create
from users.models import User

pytestmark = pytest.mark.django_db

OMITTED = None  # the field is not in the submission at all
CONTROL = ["\t", "\n", "\r", "\x0b", "\x1f", "\x7f", "\x85", "\u2028", "\ufeff"]

# Text a person might store: any Unicode, control characters too, but no NUL.
storable = st.characters(codec="utf-8", exclude_characters="\x00") | st.sampled_from(CONTROL)
# Anything at all: NUL, and strings far past every length limit.
characters = st.characters(codec="utf-8") | st.sampled_from(["\x00", *CONTROL])
anything = st.one_of(
    st.text(characters, max_size=60),
    st.builds(
        lambda chunk, times: chunk * times,
        st.text(characters, min_size=1, max_size=4),
        st.integers(min_value=40, max_value=2500),
    ),
    st.just(""),
    st.just(OMITTED),
)


@st.composite
def submissions(draw, fields):
    """A form's data: half the time all plausible, otherwise some fields random.

    `fields` maps each field to the strategy of its plausible values; a random field gets
    `anything`, which includes being empty or left out. Plausible values are often accepted,
    so that both what is stored and what is refused get tested.
    """
    random_fields = draw(st.just(set()) | st.sets(st.sampled_from(sorted(fields)), min_size=1))
    return {
        name: draw(anything if name in random_fields else plausible)
        for name, plausible in fields.items()
    }


def browser_post(client, url, data):
    """Posts `data` urlencoded in UTF-8 as a browser does, leaving out the omitted fields."""
    sent = {name: value for name, value in data.items() if value is not OMITTED}
    return client.post(url, urlencode(sent), content_type="application/x-www-form-urlencoded")


def signed_in_client(user):
    """A new client signed in as `user`, for one example.

    The `client` fixture is shared by every example of a test, so it would carry one example's
    session and cookies into the next.
    """
    client = Client()
    client.force_login(user)
    return client


@contextmanager
def rolled_back():
    """Each example starts from the same database: its writes are undone at the end."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def refused_or_accepted(response, before):
    """Never a 500; a refusal re-renders the form (200) and leaves every row as it was."""
    assert response.status_code in {HTTPStatus.OK, HTTPStatus.FOUND}
    event("refused" if response.status_code == HTTPStatus.OK else "accepted")
    if response.status_code == HTTPStatus.OK:
        shown = [
            response.context[name]
            for name in ("form", "preferences_form")
            if name in response.context
        ]
        assert any(form.errors for form in shown)
        assert database_snapshot() == before
        return False
    return True


# The documented normalisations, spelt out.
TRAILING_DECIMAL_ZEROS = re.compile(r"\.0*\s*$")


def stripped(value):
    return (value or "").strip()


def one_line(value):
    """What a one-line field keeps: each line break a space (todos.validators.one_line)."""
    return stripped(re.sub(r"\r\n|\r|\n", " ", stripped(value)))


def as_int(value):
    if not value:
        return None
    return int(TRAILING_DECIMAL_ZEROS.sub("", value))


def as_date(value):
    return forms.DateField(required=False).clean(value)


def as_checkbox(value):
    return bool(value) and value.lower() != "false"


def as_tag_names(value):
    names = {}
    for name in one_line(value).split(","):
        if name.strip():
            names.setdefault(name.strip().lower(), name.strip())
    return list(names.values())


def stored_spelling(owner, name):
    existing = (
        Tag.objects.filter(owner=owner)
        .alias(lowered=Lower("name"))
        .filter(lowered=Lower(Value(name)))
        .first()
    )
    return existing.name if existing else name


def now_and_then(value, otherwise):
    """Mostly `otherwise`; one time in eight, `value`."""
    return st.integers(min_value=0, max_value=7).flatmap(
        lambda n: st.just(value) if n == 0 else otherwise
    )


SAME_PASSWORD = object()  # password2: whatever password1 is
emails = now_and_then("TAKEN@example.com", st.emails().filter(lambda email: len(email) <= 254))
signup_fields = {
    "username": now_and_then("TAKEN", st.from_regex(r"\A[\w.@+-]{1,150}\Z")),
    "email": emails,
    # Not all digits, nor a common password, whatever the random part is.
    "password1": st.text(storable, min_size=1, max_size=32).map(lambda text: f"{text}·pass·{text}"),
    "password2": st.just(SAME_PASSWORD),
    "age": st.integers(min_value=0, max_value=150).map(str) | st.just(""),
    "city": st.text(storable, max_size=100),
}


@st.composite
def signups(draw):
    data = draw(submissions(signup_fields))
    if data["password2"] is SAME_PASSWORD:
        data["password2"] = data["password1"]
    return data


@given(data=signups())
def test_sign_up_with_random_input(data):
    with rolled_back():
        UserFactory(username="taken", email="taken@example.com")
        before = database_snapshot()

        response = browser_post(Client(), reverse("users:signup"), data)

        if refused_or_accepted(response, before):
            username = unicodedata.normalize("NFKC", stripped(data["username"]))
            user = User.objects.get(username=username)
            assert user.email == User.objects.normalize_email(stripped(data["email"]))
            assert user.age == as_int(data["age"])
            assert user.city == stripped(data["city"])
            assert user.check_password(data["password1"])


profiles = submissions(
    {
        "email": emails,
        "age": signup_fields["age"],
        "city": signup_fields["city"],
        "default_status": st.sampled_from(ListStatus.values),
        "default_sort": st.sampled_from(ListSort.values),
        "page_size": st.integers(min_value=10, max_value=100).map(str),
    }
)


@given(data=profiles)
def test_profile_with_random_input(data):
    with rolled_back():
        UserFactory(username="taken", email="taken@example.com")
        user = UserFactory(preferences={"theme": "dark"})
        client = signed_in_client(user)
        before = database_snapshot()

        response = browser_post(client, reverse("users:profile"), data)

        if refused_or_accepted(response, before):
            user.refresh_from_db()
            assert user.email == User.objects.normalize_email(stripped(data["email"]))
            assert user.age == as_int(data["age"])
            assert user.city == stripped(data["city"])
            assert user.preferences == {
                "theme": "dark",
                "default_status": data["default_status"],
                "default_sort": data["default_sort"],
                "page_size": as_int(data["page_size"]),
            }


tag_names = st.lists(st.text(storable, min_size=1, max_size=12), max_size=4).map(", ".join)
todo_fields = {
    "title": st.text(storable, min_size=1, max_size=200),
    "description": st.text(storable, max_size=300),
    "due_date": st.dates().map(lambda date: date.isoformat()) | st.just(""),
    "priority": st.sampled_from(["", *(str(value) for value in Priority.values)]),
    "tags": tag_names,
}


def assert_todo_stored(todo, data):
    assert todo.title == one_line(data["title"])
    assert todo.description == stripped(data["description"])
    assert todo.due_date == as_date(data["due_date"])
    assert todo.priority == (int(data["priority"]) if data["priority"] else Priority.NORMAL)


@given(data=submissions(todo_fields))
def test_create_a_todo_with_random_input(data):
    with rolled_back():
        user = UserFactory()
        client = signed_in_client(user)
        before = database_snapshot()

        response = browser_post(client, reverse("todos:create"), data)

        if refused_or_accepted(response, before):
            todo = Todo.objects.get(owner=user)
            assert_todo_stored(todo, data)
            assert [tag.name for tag in todo.tags.order_by("pk")] == as_tag_names(data["tags"])


@given(
    data=submissions(
        {**todo_fields, "done": st.sampled_from(["on", OMITTED]), "version": st.just("1")}
    ),
    existing_tags=tag_names,
)
# Found by this test: an accented tag the todo already had was a 500 on SQLite.
@example(
    data={**dict.fromkeys(todo_fields, ""), "title": "t", "tags": "À", "done": "", "version": "1"},
    existing_tags="À",
)
def test_edit_a_todo_with_random_input(data, existing_tags):
    with rolled_back():
        user = UserFactory()
        todo = TodoFactory(owner=user, title="Before", description="As it was")
        todo.tags.set(tags_get_or_create(owner=user, names=as_tag_names(existing_tags)))
        client = signed_in_client(user)
        before = database_snapshot()

        response = browser_post(client, reverse("todos:update", args=[todo.pk]), data)

        if refused_or_accepted(response, before):
            todo.refresh_from_db()
            assert_todo_stored(todo, data)
            assert todo.done is as_checkbox(data["done"])
            assert (todo.completed_at is not None) is todo.done
            assert todo.version == 2
            # Looked up after the save: a tag the owner had is unchanged by it, and a new one is
            # stored as typed, so each name's spelling is the same before and after.
            expected_tags = [stored_spelling(user, name) for name in as_tag_names(data["tags"])]
            assert sorted(tag.name for tag in todo.tags.all()) == sorted(expected_tags)
