from django.contrib import admin
from django.contrib.auth import admin as auth_admin

from .models import User


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    fieldsets = (
        *auth_admin.UserAdmin.fieldsets,
        ("Profile", {"fields": ("age", "city", "preferences")}),
    )
    list_display = ("username", "email", "age", "city", "is_staff", "date_joined")
    search_fields = ("username", "email", "city")
