"""The user admin: Django's, with the profile fields and the user's todos at a glance."""

from contextlib import suppress

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import OuterRef
from django.forms.fields import InvalidJSONInput
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html

from todos.admin import may_see_todos, todo_changelist_url
from todos.admin_tools import (
    CheckedChangeListMixin,
    EstimatedCountPaginator,
    SummarizedDeletionMixin,
    count_subquery,
)
from todos.listing import ListSort, ListStatus, is_page_size
from todos.models import Todo
from todos.services import AccountGone, lock_owners

from .forms import AdminLoginForm
from .models import User
from .services import user_delete, users_delete

# The admin's login checks the username's length as the site's does (users.forms).
admin.site.login_form = AdminLoginForm

RECENT_TODOS_SHOWN = 20

PREFERENCE_CHECKS = {
    "default_status": lambda value: value in ListStatus.values,
    "default_sort": lambda value: value in ListSort.values,
    "page_size": is_page_size,
}


def validate_preferences(preferences, *, stored=None):
    """Refuse preferences the todo list could not apply: unknown values, and unknown keys (a
    typo) unless `stored` has them already, whose values stay as they are (the profile form keeps
    keys it does not know, so that other features may store theirs)."""
    if not isinstance(preferences, dict):
        raise ValidationError("Preferences must be a JSON object.")
    stored = stored if isinstance(stored, dict) else {}
    errors = []
    for key, value in preferences.items():
        check = PREFERENCE_CHECKS.get(key)
        if check is None:
            if key not in stored:
                errors.append(f"Unknown preference {key!r}.")
        elif not check(value):
            errors.append(f"{value!r} is not a valid {key}.")
    if errors:
        raise ValidationError(errors)


class ParsableJSONField(forms.JSONField):
    """Django's JSON field, with JSON nested too deep for Python's parser refused as invalid
    JSON, where it raised RecursionError: a 500."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except RecursionError:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from None

    def bound_data(self, data, initial):
        try:
            return super().bound_data(data, initial)
        except RecursionError:
            return InvalidJSONInput(data)


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):
        field_classes = {
            **auth_forms.UserChangeForm.Meta.field_classes,
            "preferences": ParsableJSONField,
        }

    def clean(self):
        cleaned_data = super().clean()
        # The user's row, taken for the rest of the admin's transaction (it validates and saves
        # in one): one deleted meanwhile is not inserted again by the save, as Django inserts
        # a row its UPDATE missed.
        if not lock_owners([self.instance.pk]):
            raise ValidationError("This user was deleted meanwhile; your changes were not saved.")
        return cleaned_data

    def clean_preferences(self):
        preferences = self.cleaned_data["preferences"]
        if preferences is None:
            return {}
        validate_preferences(preferences, stored=self.instance.preferences)
        return preferences


class RecentTodosFormSet(BaseInlineFormSet):
    """The user's most recent todos only: a user may have a hundred thousand.

    The limit goes after the formset's filter on the user (a sliced queryset cannot be filtered)
    and is kept, so every form and the validation of a POST read the same evaluated rows.
    """

    def get_queryset(self):
        if not hasattr(self, "_recent"):
            self._recent = super().get_queryset()[:RECENT_TODOS_SHOWN]
        return self._recent


class RecentTodoInline(admin.TabularInline):
    """Read-only: todos are edited on their own admin page, which each row links to."""

    model = Todo
    formset = RecentTodosFormSet
    fields = ("done", "priority", "due_date", "created_at")
    readonly_fields = fields
    verbose_name_plural = f"most recent todos (up to {RECENT_TODOS_SHOWN})"
    extra = 0
    can_delete = False
    show_change_link = True
    view_on_site = False

    def has_add_permission(self, request, obj):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    def clean(self):
        cleaned_data = super().clean()
        # Taken as UserChangeForm takes it. Django's page for this form shows no errors but
        # the fields'.
        if not lock_owners([self.user.pk]):
            self.add_error("password1", "This user was deleted meanwhile; no password was set.")
        return cleaned_data


TODO_COUNT_COLUMNS = ("open_todos", "done_todos")


@admin.register(User)
class UserAdmin(SummarizedDeletionMixin, CheckedChangeListMixin, auth_admin.UserAdmin):
    form = UserChangeForm
    change_password_form = AdminPasswordChangeForm
    fieldsets = (
        *auth_admin.UserAdmin.fieldsets,
        ("Profile", {"fields": ("age", "city", "preferences")}),
        ("Password reset", {"fields": ("password_reset_sent_at",)}),
        ("Todos", {"fields": ("todo_summary",)}),
    )
    add_fieldsets = (
        *auth_admin.UserAdmin.add_fieldsets,
        ("Profile", {"classes": ("wide",), "fields": ("email", "age", "city")}),
    )
    readonly_fields = ("password_reset_sent_at", "todo_summary")
    list_display = (
        "username",
        "email",
        "age",
        "city",
        "is_staff",
        "date_joined",
        *TODO_COUNT_COLUMNS,
    )
    list_filter = ("is_staff", "is_active", "is_superuser")
    search_fields = ("username", "email", "city")
    inlines = (RecentTodoInline,)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        users = super().get_queryset(request)
        if not may_see_todos(request):
            return users
        todos = Todo.objects.filter(owner=OuterRef("pk"))
        return users.annotate(
            open_todo_count=count_subquery(todos.active()),
            done_todo_count=count_subquery(todos.completed()),
        )

    def delete_model(self, request, obj):
        # Deleted meanwhile, by other staff or on the site: what was asked for is done.
        with suppress(AccountGone):
            user_delete(user=obj)

    def delete_queryset(self, request, queryset):
        users_delete(users=queryset)

    def get_inlines(self, request, obj):
        # A user being added has no todos yet.
        return self.inlines if obj else ()

    # Staff who may not see todos do not see how many each user has either.
    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if may_see_todos(request):
            return shown
        return tuple(name for name in shown if name not in TODO_COUNT_COLUMNS)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if may_see_todos(request):
            return fieldsets
        return [(name, options) for name, options in fieldsets if name != "Todos"]

    @admin.display(description="open todos")
    def open_todos(self, user):
        url = todo_changelist_url(owner__id__exact=user.pk, done__exact=0)
        return format_html('<a href="{}">{}</a>', url, user.open_todo_count)

    @admin.display(description="done todos")
    def done_todos(self, user):
        url = todo_changelist_url(owner__id__exact=user.pk, done__exact=1)
        return format_html('<a href="{}">{}</a>', url, user.done_todo_count)

    @admin.display(description="todos")
    def todo_summary(self, user):
        return format_html(
            '{} open, {} done: <a href="{}">see them all</a>',
            user.open_todo_count,
            user.done_todo_count,
            todo_changelist_url(owner__id__exact=user.pk),
        )


# Django's and django-axes' own admins, with the checks the others have: a NUL, a number past 64
# bits, one bound of a range or a regular expression in a list's URL, a selection that is no
# key, or a permission id past 64 bits was a 500.
class GroupAdmin(CheckedChangeListMixin, auth_admin.GroupAdmin):
    pass


class AccessAttemptAdmin(CheckedChangeListMixin, axes_admin.AccessAttemptAdmin):
    pass


class AccessLogAdmin(CheckedChangeListMixin, axes_admin.AccessLogAdmin):
    pass


class AccessFailureLogAdmin(CheckedChangeListMixin, axes_admin.AccessFailureLogAdmin):
    pass


for _model, _model_admin in (
    (Group, GroupAdmin),
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    if admin.site.is_registered(_model):  # axes' only with AXES_ENABLE_ADMIN, its default
        admin.site.unregister(_model)
        admin.site.register(_model, _model_admin)
