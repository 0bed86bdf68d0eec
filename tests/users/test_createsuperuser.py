"""`manage.py createsuperuser` refuses a username or email address taken in any letter case."""

import pytest
from django.contrib.auth.management.commands import createsuperuser as django_command
from django.core.management import CommandError, call_command

from tests.factories import UserFactory
from users.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "Xy-long-pass-2026"


@pytest.fixture
def alice():
    return UserFactory(username="alice", email="alice@example.com")


def create(**options):
    call_command("createsuperuser", interactive=False, verbosity=0, **options)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"username": "ALICE", "email": "new@example.com"}, "That username is already taken."),
        ({"username": "boss", "email": "Alice@Example.com"}, "That email address is already taken"),
    ],
)
def test_a_name_taken_in_another_letter_case_is_refused_without_a_traceback(
    alice, monkeypatch, options, message
):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match=message):
        create(**options)
    assert list(User.objects.values_list("username", flat=True)) == ["alice"]


def test_an_address_taken_given_through_the_environment_is_refused(alice, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "ALICE@example.com")
    with pytest.raises(CommandError, match="That email address is already taken"):
        create(username="boss")
    assert not User.objects.filter(username="boss").exists()


def test_a_name_taken_meanwhile_is_a_command_error(alice, monkeypatch):
    """Taken between the check and the insert (a sign-up at the same moment): the unique
    index refuses it, and the command says so."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    monkeypatch.setattr("users.management.commands.createsuperuser.is_taken", lambda *a, **k: False)
    with pytest.raises(CommandError, match="taken meanwhile"):
        create(username="ALICE", email="new@example.com")


def test_a_free_name_makes_a_superuser(alice, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    create(username="boss", email="boss@example.com")
    boss = User.objects.get(username="boss")
    assert boss.is_superuser
    assert boss.check_password(PASSWORD)


class TTY:
    def isatty(self):
        return True


def test_asked_at_the_prompt_a_taken_name_or_address_is_asked_again(alice, monkeypatch, capsys):
    answers = iter(["Alice", "boss", "ALICE@example.com", "boss@example.com"])
    asked = []

    def answer(prompt):
        asked.append(prompt)
        return next(answers)

    monkeypatch.setattr(django_command, "input", answer, raising=False)
    monkeypatch.setattr(django_command.getpass, "getpass", lambda prompt="": PASSWORD)

    call_command("createsuperuser", interactive=True, stdin=TTY(), verbosity=0)

    assert [prompt.split()[0].rstrip(":") for prompt in asked] == [
        "Username",
        "Username",
        "Email",
        "Email",
    ]
    errors = capsys.readouterr().err
    assert "Error: That username is already taken." in errors
    assert "Error: That email address is already taken." in errors
    assert User.objects.get(username="boss").email == "boss@example.com"
