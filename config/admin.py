"""The project's admin site: Django's, with autocomplete results labelled by their model admin."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.autocomplete import AutocompleteJsonView


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    """Labels each result with its model admin's `autocomplete_label(obj)`, where it has one.

    Django labels a result with `str(obj)`: for tags, a name that ten thousand users may share,
    with nothing to tell whose tag each "work" is.
    """

    def serialize_result(self, obj, to_field_name):
        label = getattr(self.model_admin, "autocomplete_label", str)
        return {"id": str(getattr(obj, to_field_name)), "text": label(obj)}


class TodosAdminSite(admin.AdminSite):
    def autocomplete_view(self, request):
        return LabelledAutocompleteJsonView.as_view(admin_site=self)(request)


class TodosAdminConfig(AdminConfig):
    default_site = "config.admin.TodosAdminSite"
