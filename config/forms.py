"""How every form of the site renders its fields: Django's templates, and on a form sent back
with errors, the focus on its first field in error."""

from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates


def first_invalid_field(form):
    """The name of the first visible field with an error, or None."""
    errors = form.errors
    return next(
        (
            name
            for name, field in form.fields.items()
            if name in errors and not field.widget.is_hidden
        ),
        None,
    )


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


def focus_first_form_in_error(forms):
    """Of several forms on one page, only the first with a field in error takes the focus: a
    page has one autofocus."""
    found = False
    for form in forms:
        form.focuses_first_error = not found
        found = found or first_invalid_field(form) is not None


class FormRenderer(DjangoTemplates):
    bound_field_class = FirstErrorFocusedBoundField
