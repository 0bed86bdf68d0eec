"""Django's loaddata, refusing a todo tagged with a tag of another user.

Every form keeps a todo's tags its owner's, but no database constraint can (it would take a
foreign key on two columns), so a fixture could link them across owners: a tag one user could
then see on another's todo. Such a fixture now fails as one with a broken reference does,
inside loaddata's transaction, so nothing of it stays.

A required reference by natural key to nothing (a todo's owner ["nobody"]) fails naming it,
where Django saved the row without it and reported the NOT NULL constraint.
"""

from django.core.management.base import CommandError
from django.core.management.commands import loaddata
from django.db import IntegrityError
from django.db.models import F

from todos.models import Tag, Todo

# Keys checked per query: well under SQLite's and PostgreSQL's limits on parameters.
CHECK_BATCH_SIZE = 5_000


# Each kind of row loaded, and the lookup from a link to it.
CHECKED = {Todo: "todo", Tag: "tag", Todo.tags.through: "pk"}


class Command(loaddata.Command):
    def loaddata(self, fixture_labels):
        self.loaded_keys = {model: [] for model in CHECKED}
        super().loaddata(fixture_labels)

    def reset_sequences(self, connection, models):
        # Django's last step before its summary ("Installed 3 object(s)"), run once the rows
        # are in and their foreign keys checked: the place for this check too.
        self.check_tag_owners()
        super().reset_sequences(connection, models)

    def save_obj(self, obj):
        try:
            saved = super().save_obj(obj)
        except IntegrityError as error:
            # Django defers a natural key it cannot find yet, for a row later in the fixtures
            # to fill in, and saves the row without it: a required one fails as NOT NULL.
            for field, key in obj.deferred_fields.items():
                if not field.many_to_many and not field.null:
                    raise CommandError(
                        f"Could not load {obj.object._meta.label}(pk={obj.object.pk}): its "
                        f"{field.name} {key!r} is not in the database, nor earlier in the "
                        "fixtures."
                    ) from error
            raise
        if saved and type(obj.object) in self.loaded_keys:
            self.loaded_keys[type(obj.object)].append(obj.object.pk)
        return saved

    def check_tag_owners(self):
        """Fail if a loaded link, or a link of a loaded todo or tag, joins two owners."""
        links = Todo.tags.through.objects.using(self.using).exclude(tag__owner=F("todo__owner"))
        for model, side in CHECKED.items():
            keys = self.loaded_keys[model]
            for start in range(0, len(keys), CHECK_BATCH_SIZE):
                batch = keys[start : start + CHECK_BATCH_SIZE]
                crossed = links.filter(**{f"{side}__in": batch}).select_related("todo", "tag")
                link = crossed.order_by("todo", "tag").first()
                if link is not None:
                    raise CommandError(
                        f"Problem installing fixtures: todo {link.todo.pk} ({link.todo}) has "
                        f"tag {link.tag.pk} ({link.tag}), which belongs to another user."
                    )
