from django.db import migrations, models
from django.db.models.functions import Lower

NAME_MAX_LENGTH = 50


def replace_commas(apps, schema_editor):
    """Tags named with a comma (only the admin or a fixture could make one) lose it.

    "a,b" becomes "a b", or "a b (2)" when its owner already has that name in any case.
    """
    Tag = apps.get_model("todos", "Tag")
    tags = Tag.objects.using(schema_editor.connection.alias)
    for tag in tags.filter(name__contains=","):
        base = " ".join(tag.name.replace(",", " ").split()) or "tag"
        name, number = base[:NAME_MAX_LENGTH], 2
        while (
            tags.filter(owner_id=tag.owner_id)
            .alias(lowered=Lower("name"))
            .filter(lowered=Lower(models.Value(name)))
            .exclude(pk=tag.pk)
            .exists()
        ):
            suffix = f" ({number})"
            name, number = base[: NAME_MAX_LENGTH - len(suffix)] + suffix, number + 1
        tag.name = name
        tag.save(update_fields=["name"])


class Migration(migrations.Migration):
    """Refuse commas in tag names in the database too.

    The todo form takes a todo's tags as comma-separated names, so a tag called "a,b" (which
    only the admin or a fixture could make) became two tags the next time its todo was saved.
    Tags that have a comma already are renamed first, or the constraint could not be added.
    """

    dependencies = [
        ("todos", "0003_drop_todo_owner_index"),
    ]

    operations = [
        migrations.RunPython(replace_commas, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="tag",
            constraint=models.CheckConstraint(
                condition=~models.Q(name__contains=","),
                name="todos_tag_name_no_comma",
                violation_error_message="Tag names cannot contain commas.",
            ),
        ),
    ]
