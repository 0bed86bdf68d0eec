"""Helpers the test modules of several apps share."""

from django.contrib.messages import get_messages
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def messages_of(response):
    """The texts of the messages the request behind `response` left for the user."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def unapplied_migrations():
    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())
