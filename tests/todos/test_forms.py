import pytest
from django.urls import reverse

from tests.factories import TodoFactory
from todos.admin import TodoAdminForm
from todos.forms import TAGS_PER_TODO_MAX, TagForm, TagNamesField, TodoEditForm, TodoForm
from todos.models import Priority, Tag

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("", []),
        ("  ", []),
        ("work", ["work"]),
        (" work , Home ,, errands ", ["work", "Home", "errands"]),
        ("Work, work, WORK, home", ["Work", "home"]),
        (",,,", []),
        # Invisible characters at a name's ends go as spaces do: "ok" stays one tag.
        ("ok\u200b, \ufeffok, \u200dOK\u200e, ok\u202e, \u2066ok\u2069, ok\u034f", ["ok"]),
        # The flag of England ends in tag characters: they stay.
        ("\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", None),
        ("a\u200bb", ["a\u200bb"]),  # within a name it stays
        ("\u2764\ufe0f", ["\u2764\ufe0f"]),  # an emoji's variation selector stays
        ("to\r\ndo, wor\nk,\rhome\n", ["to do", "wor k", "home"]),  # one line each
    ],
)
def test_tag_names_are_split_trimmed_and_deduplicated_ignoring_case(raw, names):
    assert TagNamesField().clean(raw) == ([raw] if names is None else names)


def errors_for(form_class, data, **kwargs):
    form = form_class(data=data, **kwargs)
    assert not form.is_valid()
    return form.errors


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"title": "   "}, "title", "This field is required."),
        ({"title": "x" * 201}, "title", "at most 200 characters"),
        ({"title": "milk\x00"}, "title", "Null characters are not allowed."),
        ({"title": "ok", "description": "a\x00b"}, "description", "Null characters"),
        ({"title": "ok", "due_date": "tomorrow"}, "due_date", "Enter a valid date."),
        ({"title": "ok", "due_date": "2026-02-30"}, "due_date", "Enter a valid date."),
        ({"title": "ok", "priority": "7"}, "priority", "Select a valid choice."),
        ({"title": "ok", "priority": "high"}, "priority", "Select a valid choice."),
        ({"title": "\u200b"}, "title", "only invisible ones"),
        ({"title": "\u3164\u2800 \u00ad\ufe0f"}, "title", "only invisible ones"),
        ({"title": "ok", "description": "x" * 10_001}, "description", "at most 10000 characters"),
        ({"title": "ok", "tags": "x" * 51}, "tags", "at most 50 characters"),
        ({"title": "ok", "tags": "work, \u200b\u200d"}, "tags", "only invisible ones"),
        ({"title": "ok", "tags": "a\x00b"}, "tags", "Null characters are not allowed."),
        (
            {"title": "ok", "tags": ",".join(f"t{n}" for n in range(TAGS_PER_TODO_MAX + 1))},
            "tags",
            "at most 10 tags; this has 11",
        ),
    ],
)
def test_bad_input_gets_a_clear_error_on_its_field(data, field, message):
    errors = errors_for(TodoForm, data)
    assert message in " ".join(errors[field])


@pytest.mark.parametrize(
    "text",
    ["\U0001f469\u200d\U0001f4bb", "שלום", "\u0915\u094d\u0937", "a\u200b"],
    ids=["emoji joined by a zero-width joiner", "Hebrew", "Devanagari conjunct", "a letter"],
)
def test_titles_and_tag_names_with_a_visible_character_are_taken(text):
    form = TodoForm(data={"title": text, "tags": text, "description": "x" * 10_000})
    assert form.is_valid(), form.errors
    assert TagForm(data={"name": text}).is_valid()


def test_quick_add_needs_only_a_title_and_gets_normal_priority():
    form = TodoForm(data={"title": "  Buy milk  "})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "Buy milk"
    assert form.cleaned_data["priority"] == Priority.NORMAL
    assert form.cleaned_data["tags"] == []


def test_new_todo_form_preselects_normal_priority():
    # A select submits its first option (Low) unless another is selected.
    assert 'value="2" selected' in str(TodoForm()["priority"])


def test_edit_form_shows_the_todos_tags_and_version():
    todo = TodoFactory(tags=[], version=4)
    todo.tags.create(owner=todo.owner, name="home")
    todo.tags.create(owner=todo.owner, name="errands")
    form = TodoEditForm(instance=todo)
    assert form["tags"].value() == "errands, home"
    assert form["version"].value() == 4


@pytest.mark.parametrize("version", ["", "abc", "0", "-3"])
def test_edit_form_without_a_valid_version_is_refused(version):
    todo = TodoFactory()
    errors = errors_for(TodoEditForm, {"title": "x", "version": version}, instance=todo)
    assert errors["version"] == ["This form is out of date. Reload the page and try again."]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("  ", "This field is required."),
        ("x" * 51, "at most 50 characters"),
        ("a,b", "Tag names cannot contain commas."),
        ("a\x00", "Null characters are not allowed."),
        ("\u200b\u200c", "only invisible ones"),
    ],
)
def test_tag_form_refuses_bad_names(name, message):
    assert message in " ".join(errors_for(TagForm, {"name": name})["name"])


@pytest.mark.parametrize("form_class", [TodoForm, TodoAdminForm])
def test_a_titles_invisible_edges_are_trimmed(form_class):
    form = form_class(data={"title": "\u200b Water the plants\u200b\ufeff", "priority": 2})
    form.is_valid()
    assert form.cleaned_data["title"] == "Water the plants"


@pytest.mark.parametrize("form_class", [TodoForm, TodoAdminForm])
def test_a_titles_line_breaks_are_spaces_as_its_one_line_box_holds_none(form_class):
    form = form_class(data={"title": "Water\r\nthe\rplants\n", "priority": 2})
    form.is_valid()
    assert form.cleaned_data["title"] == "Water the plants"


def test_a_tag_names_line_breaks_are_spaces_too():
    form = TagForm(data={"name": "to\ndo"})
    form.is_valid()
    assert form.cleaned_data["name"] == "to do"


def test_a_tag_names_invisible_edges_are_trimmed():
    form = TagForm(data={"name": "\u2060work\u200b"})
    form.is_valid()
    assert form.cleaned_data["name"] == "work"


def test_the_admins_tag_form_trims_them_too(admin_client, user):
    data = {"owner": user.pk, "name": "\u2060work\u200b"}
    admin_client.post(reverse("admin:todos_tag_add"), data)
    assert Tag.objects.get().name == "work"


@pytest.mark.parametrize("form_class", [TodoForm, TodoAdminForm])
def test_a_descriptions_line_breaks_count_one_character_each_as_the_browser_counts(form_class):
    # The textarea's maxlength counts each line break once; the browser sends it as CR LF.
    lines = ["x" * 999] * 10  # 9,999 characters as the browser counts, 10,008 as it sends
    form = form_class(data={"title": "ok", "priority": 2, "description": "\r\n".join(lines)})
    form.is_valid()
    assert "description" not in form.errors
    assert form.cleaned_data["description"] == "\n".join(lines)
    assert len(form.cleaned_data["description"]) == 9_999
