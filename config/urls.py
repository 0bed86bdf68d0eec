from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from users.views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("accounts/", include("users.urls")),
    path("todos/", include("todos.urls")),
]

handler500 = "config.views.handle_server_error"
