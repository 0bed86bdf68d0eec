from datetime import timedelta
from urllib.parse import urlsplit

from axes.helpers import get_client_ip_address
from axes.utils import reset as reset_failed_logins
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.messages.views import SuccessMessageMixin
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import CreateView, DeleteView, UpdateView

from config.forms import focus_first_form_in_error
from config.views import FormPageMixin, SignedInMixin, method_not_allowed_page
from todos.services import AccountGone, lock_owner

from .forms import (
    AccountDeleteForm,
    LoginForm,
    PreferencesForm,
    ProfileForm,
    SignupForm,
    ThrottledPasswordChangeForm,
    ThrottledPasswordResetForm,
)
from .models import User
from .services import PASSWORD_RESET_EMAIL_INTERVAL, email_changed_notice, user_delete


class HomeView(View):
    """Signed-in people go to their todos, everyone else to the login page."""

    def get(self, request):
        if request.user.is_authenticated:
            return redirect("todos:list")
        return redirect("users:login")


class NextElsewhereMixin:
    """For the login, logout and sign-up views: a `next` that is the page itself, which any link
    can ask for, or the logout page gives the default page instead. Django answers the login's
    own with a 500 ("redirection loop") and the logout's with its "logged out" template, which
    is the admin's; signing in only to visit the logout page would end on its 405 page."""

    def get_redirect_url(self):
        url = super().get_redirect_url()
        return "" if urlsplit(url).path in {self.request.path, reverse("users:logout")} else url


# Error reports leave these out, as Django's own login and password views do.
@method_decorator(sensitive_post_parameters("password1", "password2"), name="dispatch")
class SignupView(NextElsewhereMixin, auth_views.RedirectURLMixin, FormPageMixin, CreateView):
    """A new account, signed in at once; then on to `next` (a safe one, as the login's: the
    login page's link here carries it) or the todo list."""

    form_class = SignupForm
    template_name = "users/signup.html"
    next_page = "todos:list"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect(self.get_success_url())
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            self.redirect_field_name: self.get_redirect_url(),
        }

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.object = form.save()
        except IntegrityError:
            # Taken since the form checked: by the first click of a double-clicked Sign up if
            # the password is the one just sent, otherwise the form says again what is taken.
            # (Not authenticate(): a failure there would count against that user's logins.)
            self.object = User.objects.filter(username=form.cleaned_data["username"]).first()
            if not (self.object and self.object.check_password(form.cleaned_data["password1"])):
                form.full_clean()
                return self.form_invalid(form)
        # Named because several backends are configured; the password was just set, not checked.
        login(self.request, self.object, backend="users.backends.CaseInsensitiveModelBackend")
        messages.success(self.request, f"Welcome, {self.object.username}! Your account is ready.")
        return redirect(self.get_success_url())


class LoginView(NextElsewhereMixin, FormPageMixin, auth_views.LoginView):
    """Django's login; a signed-in visitor goes straight on to `next` or the todo list."""

    form_class = LoginForm
    redirect_authenticated_user = True


class LogoutView(NextElsewhereMixin, auth_views.LogoutView):
    """Logs out on POST only (a link must not log anyone out); GET gets a page with the button.

    Still a 405, as the method is refused, but with the site's page instead of an empty body.
    """

    def http_method_not_allowed(self, request, *args, **kwargs):
        refused = super().http_method_not_allowed(request, *args, **kwargs)
        if request.method != "GET":
            return refused
        return method_not_allowed_page(request, refused, "registration/logout_form.html")

    def post(self, request, *args, **kwargs):
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:  # not to a visitor whose session had already ended
            messages.info(request, "You have been logged out.")
        return response


@method_decorator(sensitive_post_parameters("current_password"), name="dispatch")
class ProfileView(SignedInMixin, SuccessMessageMixin, FormPageMixin, UpdateView):
    """The account at a glance; one Save edits its details and the todo list preferences."""

    form_class = ProfileForm
    template_name = "users/profile.html"
    # `user` in the template stays request.user, the account as saved.
    context_object_name = "account"
    success_url = reverse_lazy("users:profile")
    success_message = "Your profile was saved."

    def get_object(self, queryset=None):
        # A copy rather than request.user: an invalid submission must not show in the page.
        account = User.objects.filter(pk=self.request.user.pk).first()
        if account is None:
            raise AccountGone
        return account

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def get_preferences_form(self):
        return PreferencesForm(**super().get_form_kwargs())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form()
        preferences_form = self.get_preferences_form()
        if all([form.is_valid(), preferences_form.is_valid()]):
            # Both forms edit self.object; saving the profile form writes both in one UPDATE.
            preferences_form.save(commit=False)
            return self.form_valid(form)
        focus_first_form_in_error([form, preferences_form])
        return self.render_to_response(
            self.get_context_data(form=form, preferences_form=preferences_form)
        )

    def form_valid(self, form):
        lock_owner(self.object.pk)
        response = super().form_valid(form)
        if form.changes_email():
            email_changed_notice(user=self.object, old_email=form.initial["email"])
        return response

    def get_context_data(self, **kwargs):
        kwargs.setdefault("preferences_form", self.get_preferences_form())
        kwargs["todo_counts"] = self.request.user.todo_counts()
        return super().get_context_data(**kwargs)


class PasswordChangeView(
    SignedInMixin, SuccessMessageMixin, FormPageMixin, auth_views.PasswordChangeView
):
    form_class = ThrottledPasswordChangeForm
    success_url = reverse_lazy("users:profile")
    success_message = "Your password was changed."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        lock_owner(self.request.user.pk)
        return super().form_valid(form)


# Outside the request's transaction: the throttle's UPDATE then commits at once, instead of
# holding the user's row (which their own writes and logins wait for) while the email goes out.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class PasswordResetView(FormPageMixin, auth_views.PasswordResetView):
    form_class = ThrottledPasswordResetForm
    success_url = reverse_lazy("users:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    extra_context = {
        "email_interval_minutes": PASSWORD_RESET_EMAIL_INTERVAL // timedelta(minutes=1)
    }


class PasswordResetConfirmView(FormPageMixin, auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("users:password_reset_complete")

    def form_valid(self, form):
        try:
            lock_owner(form.user.pk)
        except AccountGone:
            messages.error(self.request, "That account was deleted meanwhile: no password was set.")
            return redirect("users:login")
        response = super().form_valid(form)
        # The emailed link proves the mailbox is the account's, so the lock on this address's
        # wrong passwords goes too: else "You can now log in" led to the lockout page.
        # Without an address axes would clear the username's failures from every address.
        if address := get_client_ip_address(self.request):
            reset_failed_logins(ip=address, username=form.user.get_username())
        return response


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class AccountDeleteView(SignedInMixin, FormPageMixin, DeleteView):
    """Deletes the account and everything in it once the user confirms with their password."""

    form_class = AccountDeleteForm
    signed_out_message = "You were logged out, so the account was not deleted. Log in to go on."
    account_gone_message = "Your account was already deleted."
    success_url = reverse_lazy("users:login")

    def get_object(self, queryset=None):
        return self.request.user

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.object, "request": self.request}

    def get_context_data(self, **kwargs):
        kwargs["todo_count"] = self.object.todos.count()
        kwargs["tag_count"] = self.object.tags.count()
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        deleted = user_delete(user=self.object)
        logout(self.request)
        messages.success(
            self.request,
            f"Your account was deleted, with {deleted.todos} todo{pluralize(deleted.todos)} "
            f"and {deleted.tags} tag{pluralize(deleted.tags)}.",
        )
        return redirect(self.success_url)
