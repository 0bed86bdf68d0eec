from django.conf import settings
from django.db import migrations, models

# The index Django made for the foreign key (the same name on every database). Only the index
# goes: AlterField would also drop and re-check the foreign key constraint over the whole
# table on PostgreSQL, and rebuild the table on SQLite, to end with the same constraint.
OWNER_INDEX = "todos_todo_owner_id_4b8f3a66"


class Migration(migrations.Migration):
    """Drop todos_todo's index on owner_id alone: todo_owner_created_idx begins with it.

    The composite index serves every lookup by owner (the list, the counters, the cascade
    when a user is deleted). The narrow one cost each insert an index update and led the
    planner to sort a user's whole list for deep pages instead of reading it in order.
    """

    dependencies = [
        ("todos", "0002_index_tags_by_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX "{OWNER_INDEX}"',
                    reverse_sql=f'CREATE INDEX "{OWNER_INDEX}" ON "todos_todo" ("owner_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="todo",
                    name="owner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.CASCADE,
                        related_name="todos",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
    ]
