from django.db import migrations, models


class Migration(migrations.Migration):
    """Refuse commas in tag names in the database too.

    The todo form takes a todo's tags as comma-separated names, so a tag called "a,b" (which
    only the admin or a fixture could make) became two tags the next time its todo was saved.
    """

    dependencies = [
        ("todos", "0003_drop_todo_owner_index"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="tag",
            constraint=models.CheckConstraint(
                condition=~models.Q(name__contains=","),
                name="todos_tag_name_no_comma",
                violation_error_message="Tag names cannot contain commas.",
            ),
        ),
    ]
