from django.shortcuts import redirect
from django.urls import reverse
from django.views import View


class HomeView(View):
    """Signed-in people go to their todos, everyone else to the login page."""

    def get(self, request):
        if request.user.is_authenticated:
            return redirect("todos:list")
        return redirect(reverse("users:login"))
