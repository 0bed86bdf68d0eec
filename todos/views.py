from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import DetailView, ListView

from .models import Todo


class OwnedTodoMixin(LoginRequiredMixin):
    """Scopes every todo view to the signed-in user: someone else's todo is a 404."""

    def get_queryset(self):
        return Todo.objects.for_user(self.request.user).prefetch_related("tags")


class TodoListView(OwnedTodoMixin, ListView):
    paginate_by = 25


class TodoDetailView(OwnedTodoMixin, DetailView):
    pass
