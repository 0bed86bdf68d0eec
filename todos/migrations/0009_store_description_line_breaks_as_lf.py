from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Replace


def line_breaks_to_lf(apps, schema_editor):
    Todo = apps.get_model("todos", "Todo")
    todos = Todo.objects.using(schema_editor.connection.alias)
    todos.filter(description__contains="\r\n").update(
        description=Replace("description", Value("\r\n"), Value("\n"))
    )


class Migration(migrations.Migration):
    """Descriptions keep their line breaks as LF, as the forms now store them (browsers send
    CR LF). Those saved before get the same, so a form that changes nothing in one finds it
    unchanged. Going back keeps LF: which line breaks were CR LF is not recorded."""

    dependencies = [
        ("todos", "0008_add_todo_idempotency_key"),
    ]

    operations = [
        migrations.RunPython(line_breaks_to_lf, migrations.RunPython.noop, elidable=True),
    ]
