import uuid

from django import forms
from django.core.exceptions import ValidationError

from .models import TAG_NAME_MAX_LENGTH, Priority, Tag, Todo
from .services import ADDED_FIELDS, todo_create, todo_update
from .validators import one_line, trim, validate_visible

TAGS_PER_TODO_MAX = 10
OUT_OF_DATE = "This form is out of date. Reload the page and try again."


def validate_tag_name(name):
    if len(name) > TAG_NAME_MAX_LENGTH:
        raise ValidationError(
            "Tag names can be at most %(max)d characters; “%(name)s…” is longer.",
            code="tag_too_long",
            params={"max": TAG_NAME_MAX_LENGTH, "name": name[:TAG_NAME_MAX_LENGTH]},
        )
    if "," in name:
        raise ValidationError("Tag names cannot contain commas.", code="tag_comma")
    validate_visible(name)


class TrimmedCharField(forms.CharField):
    """A title or a name: one line (`one_line`), without the invisible characters at its ends
    (`trim`). One that is all invisible is kept whole, for the model's validate_visible to
    refuse by name."""

    def to_python(self, value):
        value = one_line(super().to_python(value))
        return trim(value) or value


class MultilineCharField(forms.CharField):
    """A textarea's text with its line breaks as the browser counts them, one character each:
    it sends each as CR LF, so a description the textarea's maxlength let through was refused
    for the characters it could not show."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\r\n", "\n")
        return super().to_python(value)


# The forms' fields for Todo's and Tag's text, on the site and in the admin.
TODO_FIELD_CLASSES = {"title": TrimmedCharField, "description": MultilineCharField}
TAG_FIELD_CLASSES = {"name": TrimmedCharField}


class TagNamesField(forms.CharField):
    """Comma-separated tag names, cleaned to a list: one line, trimmed, no blanks, no repeats
    by case."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Comma-separated, for example: work, home, errands.")
        super().__init__(**kwargs)

    def to_python(self, value):
        names = {}
        for name in one_line(super().to_python(value)).split(","):
            name = trim(name) or name.strip()  # all invisible: kept, for validate_tag_name
            if name:
                names.setdefault(name.lower(), name)
        return list(names.values())

    def validate(self, value):
        super().validate(value)
        # The inherited NUL check sees the list's repr, where NUL is escaped: check each name.
        if any("\x00" in name for name in value):
            raise ValidationError("Null characters are not allowed.", code="null_characters")
        for name in value:
            validate_tag_name(name)
        if len(value) > TAGS_PER_TODO_MAX:
            raise ValidationError(
                "A todo can have at most %(max)d tags; this has %(count)d.",
                code="too_many_tags",
                params={"max": TAGS_PER_TODO_MAX, "count": len(value)},
            )

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value


class DefaultedChoiceField(forms.TypedChoiceField):
    """An optional choice whose `empty_value`, a choice itself, is what a form sent without it
    saves, and shows: a select re-shown with nothing chosen starts on its first choice.

    The full form re-shows the quick add's input (a title only) when it is refused.
    """

    def bound_data(self, data, initial):
        return self.empty_value if data in self.empty_values else data


class IdempotencyKeyField(forms.UUIDField):
    """The key a form was shown with. Anything else (a post made by hand) counts as none:
    the todo is added as any other, and no error names a field the user never saw."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            return None


class TodoForm(forms.ModelForm):
    """A new todo. The quick-add form posts only `title`; every other field is optional."""

    # Optional so that the quick add (title only) gets the model's default; the initial value
    # preselects it in the full form, where a select otherwise starts on its first choice (Low).
    priority = DefaultedChoiceField(
        choices=Priority.choices,
        coerce=int,
        required=False,
        empty_value=Priority.NORMAL,
        initial=Priority.NORMAL,
    )
    tags = TagNamesField()
    # A new key each time the form is shown; sent again with the same form (`todo_create`).
    idempotency_key = IdempotencyKeyField()
    sent_before = False  # set by save()

    class Meta:
        model = Todo
        fields = [*ADDED_FIELDS]
        field_classes = TODO_FIELD_CLASSES
        widgets = {
            # dir="auto": a title in Hebrew or Arabic is typed right to left.
            "title": forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}),
            "due_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["tags"].initial = [tag.name for tag in self.instance.tags.all()]
        elif "idempotency_key" in self.fields:
            self.fields["idempotency_key"].initial = uuid.uuid4()

    def save(self):
        """Save the todo and its tags together (no commit=False): the view sets the owner.

        Returns the todo, or the one this same form added already (sent twice: then
        `sent_before` is True).
        """
        self.instance.idempotency_key = self.cleaned_data.get("idempotency_key")
        todo = todo_create(todo=self.instance, tag_names=self.cleaned_data["tags"])
        self.sent_before = todo is not self.instance
        return todo


class TodoEditForm(TodoForm):
    """An existing todo. `version` is the one the form was loaded with (edit-conflict check)."""

    idempotency_key = None  # the version check already makes a save sent twice harmless

    version = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages=dict.fromkeys(["required", "invalid", "min_value"], OUT_OF_DATE),
    )

    field_order = [*TodoForm.Meta.fields, "tags", "done"]

    class Meta(TodoForm.Meta):
        fields = [*TodoForm.Meta.fields, "done"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version

    def is_saved_in(self, todo):
        """Whether `todo` as stored already holds all this form submits: a save sent twice."""
        values = {name: self.cleaned_data[name] for name in self._meta.fields}
        return todo.holds(values, self.cleaned_data["tags"])

    def save(self):
        """Save unless the todo changed since the form was loaded (TodoChangedElsewhere)."""
        return todo_update(
            todo=self.instance,
            loaded_version=self.cleaned_data["version"],
            fields=self._meta.fields,
            tag_names=self.cleaned_data["tags"],
        )


class TagForm(forms.ModelForm):
    """Rename a tag. A name another of the owner's tags has is allowed: the two merge."""

    class Meta:
        model = Tag
        fields = ["name"]
        field_classes = TAG_FIELD_CLASSES
        widgets = {"name": forms.TextInput(attrs={"autocomplete": "off"})}

    def clean_name(self):
        name = self.cleaned_data["name"]
        validate_tag_name(name)
        return name
