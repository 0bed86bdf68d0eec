"""The account forms. Each owns its validation, and nothing is written unless it is all valid."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    UserCreationForm,
)
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from todos.listing import PAGE_SIZE_MAX, PAGE_SIZE_MIN, ListSort, ListStatus, list_defaults_for

from .models import MAX_AGE, User
from .services import claim_password_reset_email


def is_taken(field_name, value, *, by_other_than=None, using=None):
    """Whether a user other than `by_other_than` has `value` in `field_name`, ignoring case.

    `using` names the database.
    """
    return (
        User.objects.db_manager(using)
        .ignoring_case(field_name, value)
        .exclude(pk=getattr(by_other_than, "pk", None))
        .exists()
    )


class AccountFieldsMixin:
    """Email (required, unique whatever its letter case), age and city: sign-up and profile."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Required here although blank in the model: the password reset needs an address.
        self.fields["email"].required = True
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["city"].widget.attrs["autocomplete"] = "address-level2"
        self.fields["age"].widget.attrs["max"] = MAX_AGE

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if is_taken("email", email, by_other_than=self.instance):
            raise ValidationError("A user with that email already exists.", code="unique")
        return email


class SignupForm(AccountFieldsMixin, UserCreationForm):
    field_order = ["username", "email", "password1", "password2", "age", "city"]

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "age", "city")

    def clean_username(self):
        username = self.cleaned_data["username"]
        if is_taken("username", username):
            raise ValidationError(
                self.instance.unique_error_message(User, ["username"]), code="unique"
            )
        return username


class UsernameLengthCheckMixin:
    """For Django's login forms, which set the username's max_length once the field is built,
    so no length check runs: a username longer than any account's went on to authenticate(),
    and django-axes then failed to record the failure in its 255-character column (a 500 on
    PostgreSQL). Now it is refused as any bad input is, next to its field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class LoginForm(UsernameLengthCheckMixin, AuthenticationForm):
    pass


class AdminLoginForm(UsernameLengthCheckMixin, AdminAuthenticationForm):
    pass


def is_own_password(request, user, password):
    """Whether `password` is `user`'s, checked as a login is.

    django-axes then counts a wrong one with the failed logins of that username from that
    address, and after five refuses even the right one for 15 minutes (its middleware answers
    with the lockout page): a session alone is not enough to guess the password.
    """
    return authenticate(request, username=user.get_username(), password=password) == user


class PasswordCheckMixin:
    """For a form that asks for the account's password: `is_own_password` needs the request."""

    def __init__(self, *args, request, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def is_own_password(self, user, password):
        return is_own_password(self.request, user, password)


class ProfileForm(PasswordCheckMixin, AccountFieldsMixin, forms.ModelForm):
    """The account's details. A new email address needs the password too: a password reset is
    sent there, so a session alone (a computer left signed in) must not be able to choose it."""

    current_password = forms.CharField(
        label="Your password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Only to change your email address.",
    )
    field_order = ["email", "current_password", "age", "city"]

    class Meta:
        model = User
        fields = ("email", "age", "city")

    def changes_email(self):
        """Whether the form holds a new address (not the saved one in another letter case)."""
        email = self.cleaned_data.get("email")
        return email is not None and email.lower() != self.initial["email"].lower()

    def clean(self):
        cleaned_data = super().clean()
        if self.changes_email():
            password = cleaned_data.get("current_password")
            if not password:
                self.add_error(
                    "current_password", "Enter your password to change your email address."
                )
            elif not self.is_own_password(self.instance, password):
                self.add_error("current_password", "That is not your password.")
        return cleaned_data


class PreferencesForm(forms.ModelForm):
    """The todo list's defaults, kept as JSON in User.preferences; unknown values are refused."""

    default_status = forms.ChoiceField(label="Show", choices=ListStatus.choices)
    default_sort = forms.ChoiceField(label="Sort by", choices=ListSort.choices)
    page_size = forms.IntegerField(
        label="Todos per page", min_value=PAGE_SIZE_MIN, max_value=PAGE_SIZE_MAX
    )

    class Meta:
        model = User
        fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        defaults = list_defaults_for(self.instance)
        self.initial = {
            "default_status": defaults.status,
            "default_sort": defaults.sort,
            "page_size": defaults.per_page,
            **self.initial,
        }

    def save(self, commit=True):
        stored = self.instance.preferences
        # Keys this form does not know are kept, so other features may store theirs.
        self.instance.preferences = {
            **(stored if isinstance(stored, dict) else {}),
            **{name: self.cleaned_data[name] for name in self.declared_fields},
        }
        return super().save(commit)


class ThrottledPasswordChangeForm(PasswordCheckMixin, PasswordChangeForm):
    """Django's password change form, its old password checked by `is_own_password`."""

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if not self.is_own_password(self.user, old_password):
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's password reset form, mailing each account at most once every
    users.services.PASSWORD_RESET_EMAIL_INTERVAL. The answer is the same either way, so it
    still does not tell whether an address has an account."""

    def get_users(self, email):
        return (user for user in super().get_users(email) if claim_password_reset_email(user=user))


class AccountDeleteForm(PasswordCheckMixin, forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.is_own_password(self.user, password):
            raise ValidationError("That is not your password.", code="password_incorrect")
        return password
