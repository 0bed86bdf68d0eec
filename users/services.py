"""Account writes that span several tables."""

from datetime import timedelta
from typing import NamedTuple

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from todos.models import Tag, Todo
from todos.services import lock_owner, lock_owners

from .models import User

PASSWORD_RESET_EMAIL_INTERVAL = timedelta(minutes=10)


class DeletedAccount(NamedTuple):
    todos: int
    tags: int


@transaction.atomic
def user_delete(*, user):
    """Delete `user` with all their todos and tags, all or nothing; return how many went.

    The user's row is taken first, as every write of their todos takes it
    (todos.services.lock_owners): deleting it last, after the todos, deadlocked with such a
    write on PostgreSQL. Raises AccountGone if it was deleted meanwhile (in another tab).
    """
    lock_owner(user.pk)
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


def claim_password_reset_email(*, user):
    """Record that a password reset email goes to `user` now, unless one went within the last
    PASSWORD_RESET_EMAIL_INTERVAL; say whether it may go.

    Anyone may ask for a reset for any address: without this, an address could be sent emails
    as often as someone asks. The link already sent keeps working meanwhile. One UPDATE decides,
    so two requests at once cannot both send. A send that fails still counts: Django's form logs
    the failure and answers as usual, as it must not tell whether the address has an account.
    """
    now = timezone.now()
    sent_recently = Q(password_reset_sent_at__gt=now - PASSWORD_RESET_EMAIL_INTERVAL)
    claimed = User.objects.filter(pk=user.pk).exclude(sent_recently)
    return claimed.update(password_reset_sent_at=now) == 1


@transaction.atomic
def users_delete(*, users):
    """Delete `users` (a queryset: the admin's selection) with their todos and tags."""
    lock_owners(users.values("pk"))
    users.delete()
