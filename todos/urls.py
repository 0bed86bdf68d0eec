from django.urls import path

from . import views

app_name = "todos"

urlpatterns = [
    path("", views.TodoListView.as_view(), name="list"),
    path("new/", views.TodoCreateView.as_view(), name="create"),
    path("toggle-all/", views.TodoToggleAllView.as_view(), name="toggle_all"),
    path("clear-completed/", views.TodoClearCompletedView.as_view(), name="clear_completed"),
    path("<int:pk>/", views.TodoDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.TodoUpdateView.as_view(), name="update"),
    path("<int:pk>/delete/", views.TodoDeleteView.as_view(), name="delete"),
    path("<int:pk>/toggle/", views.TodoToggleView.as_view(), name="toggle"),
    path("tags/", views.TagListView.as_view(), name="tag_list"),
    path("tags/<int:pk>/edit/", views.TagUpdateView.as_view(), name="tag_update"),
    path("tags/<int:pk>/delete/", views.TagDeleteView.as_view(), name="tag_delete"),
]
