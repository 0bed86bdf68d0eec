from django.contrib import admin

from .models import Tag, Todo


@admin.register(Todo)
class TodoAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "done", "priority", "due_date", "created_at")
    list_select_related = ("owner",)
    search_fields = ("title",)
    readonly_fields = ("created_at", "updated_at", "completed_at", "version")
    raw_id_fields = ("owner",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "owner")
    list_select_related = ("owner",)
    search_fields = ("name",)
