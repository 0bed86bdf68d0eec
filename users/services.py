"""Account writes that span several tables."""

from typing import NamedTuple

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

from todos.models import Tag, Todo


class DeletedAccount(NamedTuple):
    todos: int
    tags: int


@transaction.atomic
def user_delete(*, user):
    """Delete `user` with all their todos and tags, all or nothing; return how many went."""
    _, deleted = user.delete()
    return DeletedAccount(
        todos=deleted.get(Todo._meta.label, 0), tags=deleted.get(Tag._meta.label, 0)
    )


def email_changed_notice(*, user, old_email):
    """Tell `old_email` that `user`'s address is now another, once the change is committed.

    The one warning the owner gets if someone else changed it (with their password). Robust:
    a mail server that fails is logged (django.db.backends), and the change, already saved,
    still answers with the profile page rather than a 500.
    """
    context = {"user": user, "old_email": old_email}
    subject = render_to_string("users/email_changed_subject.txt", context).strip()
    body = render_to_string("users/email_changed_email.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [old_email]), robust=True)
