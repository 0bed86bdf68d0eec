"""Helpers the test modules of several apps share."""

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# Every table a request could write: ours, sessions, login attempts and the admin's log.
SNAPSHOT_APPS = ("users", "todos", "auth", "sessions", "axes", "admin")


def database_snapshot():
    """Every row of every table a request could write, to compare before and after."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for label in SNAPSHOT_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    }


def messages_of(response):
    """The texts of the messages the request behind `response` left for the user."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def unapplied_migrations():
    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


# Staff with these todo permissions see counts of todos (users' and tags' lists), or not.
with_todo_permissions = pytest.mark.parametrize(
    ("todo_permissions", "sees_todos"),
    [(["view_todo"], True), (["change_todo"], True), ([], False)],
    ids=["with view_todo", "with change_todo", "without"],
)
