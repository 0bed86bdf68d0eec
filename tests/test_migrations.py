import pytest
from django.core.management import call_command
from django.db import connection

from tests.helpers import unapplied_migrations


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_todos_migrations_reverse_to_zero_and_apply_again():
    call_command("migrate", "todos", "zero", verbosity=0)
    assert "todos_todo" not in connection.introspection.table_names()
    call_command("migrate", verbosity=0)
    assert "todos_todo" in connection.introspection.table_names()
    assert unapplied_migrations() == []
