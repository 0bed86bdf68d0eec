"""How every form of the site renders its fields: Django's templates, and on a form sent back
with errors, the focus on its first field in error."""

from django import forms
from django.contrib.admin.widgets import AutocompleteMixin
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates


def _takes_focus(widget):
    # The admin's autocomplete widgets (inside its related-object wrapper) hide their <select>
    # behind select2's own box.
    shown = getattr(widget, "widget", widget)
    return not (widget.is_hidden or isinstance(shown, AutocompleteMixin))


def _is_emptied(widget):
    return isinstance(widget, forms.PasswordInput) and not widget.render_value


def first_invalid_field(form):
    """The name of the first field with an error that can take the focus, or None.

    A password field comes back empty, as do the others of its form: the focus then goes to the
    form's first of them ("the two passwords didn't match" is on the second, but both need
    typing again).
    """
    errors = form.errors
    fields = form.fields.items()
    first = next(
        (name for name, field in fields if name in errors and _takes_focus(field.widget)), None
    )
    if first and _is_emptied(form.fields[first].widget):
        return next(name for name, field in fields if _is_emptied(field.widget))
    return first


class FirstErrorFocusedBoundField(BoundField):
    """A form re-shown with errors opens with the focus on its first field in error, whose
    message a screen reader then reads with it (aria-describedby). Without this the focus stays
    where the form put it (Django's login and sign-up forms, on the username), far from the
    problem. Errors of the whole form only (a wrong password at login) leave the focus alone."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        focus = getattr(self.form, "focuses_first_error", True)
        if focus and self.form.is_bound and (first := first_invalid_field(self.form)):
            # False overrides the widget's own autofocus: Django then leaves it out.
            attrs["autofocus"] = self.name == first
        return attrs


def focus_first_form_in_error(page_forms):
    """Of several forms on one page, only the first with a field in error takes the focus: a
    page has one autofocus."""
    found = False
    for form in page_forms:
        form.focuses_first_error = not found
        found = found or first_invalid_field(form) is not None


class FormRenderer(DjangoTemplates):
    bound_field_class = FirstErrorFocusedBoundField
