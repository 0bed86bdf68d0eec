from django.db import migrations, models


class Migration(migrations.Migration):
    """Remember when each account was last sent a password reset email.

    The reset form mails an account at most once every ten minutes
    (users.services.claim_password_reset_email). A nullable column: adding it rewrites no row,
    and no account has been sent one yet.
    """

    dependencies = [
        ("users", "0002_index_usernames_for_substring_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="password_reset_sent_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="password reset email sent"
            ),
        ),
    ]
