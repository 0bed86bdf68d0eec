from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.defaultfilters import pluralize
from django.urls import reverse, reverse_lazy
from django.utils.cache import patch_vary_headers
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.views import View
from django.views.generic import CreateView, DeleteView, DetailView, ListView, UpdateView
from django.views.generic.detail import SingleObjectMixin
from django_htmx.http import replace_url

from config.views import FormPageMixin, SignedInMixin

from .forms import TagForm, TodoEditForm, TodoForm
from .listing import (
    ListOptions,
    ListSort,
    ListStatus,
    list_defaults_for,
    list_url,
    tag_link_prefix,
)
from .models import TAG_ORDER, Tag, Todo
from .services import (
    TodoChangedElsewhere,
    tag_delete,
    tag_rename,
    todo_clear_completed,
    todo_toggle_all,
    todos_delete,
)

LIST_PARTIAL_TEMPLATE = "todos/_todo_app.html"

# The sort links: each column's first click sorts in its natural direction, the next reverses.
SORT_LINKS = (
    ("Created", ListSort.NEWEST, ListSort.OLDEST),
    ("Due", ListSort.DUE, ListSort.DUE_DESC),
    ("Priority", ListSort.PRIORITY_DESC, ListSort.PRIORITY),
    ("Title", ListSort.TITLE, ListSort.TITLE_DESC),
)


class OwnedTodoMixin(SignedInMixin):
    """Scopes every todo view to the signed-in user: someone else's todo is a 404."""

    def get_queryset(self):
        return Todo.objects.for_user(self.request.user)

    def page_after_login(self):
        return list_url(self.request.GET)


class OwnedTagMixin(SignedInMixin):
    """Scopes every tag view to the signed-in user: someone else's tag is a 404."""

    def get_queryset(self):
        return Tag.objects.for_user(self.request.user)

    def page_after_login(self):
        return reverse("todos:tag_list")


class ObjectFirstMixin(SingleObjectMixin):
    """Looks the object up before the HTTP method is dispatched.

    Another user's object is then a 404 whatever the method, even one the URL does not
    serve (which is a 405 for the owner). Must come after the Owned*Mixin, so that anonymous
    visitors are sent to log in first.
    """

    def dispatch(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, queryset=None):
        if queryset is None and getattr(self, "object", None) is not None:
            return self.object
        return super().get_object(queryset)


class ListOptionsMixin:
    """The list options of this request: the query string over the user's preferences.

    Actions on the list page post to URLs that carry the page's query string, so they act on
    the todos the user sees and come back to the same list.
    """

    @cached_property
    def list_options(self):
        return ListOptions.from_query(self.request.GET, list_defaults_for(self.request.user))

    def posted_done(self):
        """The state an action's form asks for: `done` "1" True, "0" False, absent None (the
        view decides). Raises ValueError for anything else."""
        posted = self.request.POST.get("done")
        if posted not in ("1", "0", None):
            raise ValueError(f"Not a done state: {posted!r}")
        return None if posted is None else posted == "1"

    def not_understood(self):
        messages.error(self.request, "That action was not understood; nothing changed.")
        return self.list_response()

    def list_response(self, at=None, **extra_context):
        """After a successful action: the list region for htmx, otherwise a redirect to the list,
        scrolled to the element with the id `at` if given (the browser puts the keyboard's
        place there too, so Tab goes on from it, not from the top of the page)."""
        if self.request.htmx:
            return render_todo_app(self.request, **extra_context)
        url = list_url(self.request.GET, page=self.page_gone_to())
        return HttpResponseRedirect(url + (f"#{at}" if at else ""))

    def page_gone_to(self):
        """The last page, if the action emptied the one the list was on, else None (the same).

        The list would show the last page under the old number: its address would name a page
        past the end (htmx's answer replaces it, TodoListView.render_to_response). One count,
        after an action on a later page only.
        """
        if self.list_options.page == 1:
            return None
        shown = self.listed_page.number
        return shown if shown != self.list_options.page else None

    @cached_property
    def listed_page(self):
        """The page of todo keys the list goes back to shows, paged as the list pages them,
        without JavaScript: its count and its keys are each one query, read when asked for."""
        options = self.list_options
        listed = options.listed(Todo.objects.for_user(self.request.user), self.request.user)
        return Paginator(listed.values_list("pk", flat=True), options.per_page).get_page(
            options.page
        )


def render_todo_app(request, **extra_context):
    """The list region (counters, list, pagination and out-of-band messages) for htmx."""
    view = TodoListView(extra_context=extra_context)
    view.setup(request)
    return view.get(request)


class CountedPaginator(Paginator):
    """A paginator told the total, which the list already counted along with the counters."""

    def __init__(self, object_list, per_page, *, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count = count


# Read-only pages skip ATOMIC_REQUESTS: a transaction around SELECTs gives them nothing (each
# statement sees committed data either way) and costs two round trips, BEGIN and COMMIT.
read_only = method_decorator(transaction.non_atomic_requests, name="dispatch")


@read_only
class TodoListView(OwnedTodoMixin, ListOptionsMixin, ListView):
    """The list: a constant number of queries whatever the page size (see tests/todos).

    One aggregate counts the active and completed todos; the paginator takes its total from
    it. Then the page of todos, their tags (prefetch) and the user's tags for the filter. A
    search or a tag makes the database read every match for the counters: the page and the
    counters then come from one query (`page_counted_in_one_pass`).
    """

    def get_queryset(self):
        """The todos to page through; with a search or a tag, every status and the counters."""
        options = self.list_options
        if options.counts_every_match:
            return options.listed_with_counts(self.todos_with_tags(), self.request.user)
        return options.listed(self.todos_with_tags(), self.request.user)

    def todos_with_tags(self):
        return super().get_queryset().with_tag_list()

    def get_paginate_by(self, queryset):
        return self.list_options.per_page

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        return CountedPaginator(queryset, per_page, count=self.total, **kwargs)

    def paginate_queryset(self, queryset, page_size):
        options = self.list_options
        page = None
        if options.counts_every_match:
            page = self.page_counted_in_one_pass(queryset, page_size)
            if page is None:
                queryset = options.listed(self.todos_with_tags(), self.request.user)
        if page is None:
            # get_page: a page past the end shows the last one instead of a 404.
            page = self.get_paginator(queryset, page_size).get_page(options.page)
        return page.paginator, page, page.object_list, page.has_other_pages()

    def page_counted_in_one_pass(self, todos, page_size):
        """The requested page and the counters from one query, or None if it lists nothing.

        `todos` are `ListOptions.listed_with_counts`. None for a page past the end, or a list
        with nothing of its status: the usual queries follow, the counters' only if no rows
        came to bring them.
        """
        options = self.list_options
        start = (options.page - 1) * page_size
        rows = list(todos[start : start + page_size])
        if rows:
            self.counts = {"active": rows[0].active_count, "completed": rows[0].completed_count}
        listed = [todo for todo in rows if options.shows(todo)]
        if not listed:
            return None
        return Page(listed, options.page, self.get_paginator(todos, page_size))

    @cached_property
    def counts(self):
        return self.list_options.matching(super().get_queryset(), self.request.user).counts()

    @property
    def total(self):
        status = self.list_options.status
        if status == ListStatus.ACTIVE:
            return self.counts["active"]
        if status == ListStatus.COMPLETED:
            return self.counts["completed"]
        return self.counts["active"] + self.counts["completed"]

    def get_context_data(self, **kwargs):
        # Paginating first: the page may bring the counters.
        context = super().get_context_data(**kwargs)
        options = self.list_options
        page = context["page_obj"]
        return {
            "options": options,
            "counts": self.counts,
            "quick_add_form": TodoForm(),
            "statuses": ListStatus.choices,
            "sorts": self.sort_links(),
            "page_sizes": sorted({10, 25, 50, 100, options.per_page}),
            "tags": self.user_tags,
            "tag_link_prefix": tag_link_prefix(self.request.GET),
            # Whether the toggle-all button would reopen (rather than complete) what is listed.
            "all_listed_done": options.status == ListStatus.COMPLETED or self.counts["active"] == 0,
            "page_range": page.paginator.get_elided_page_range(page.number),
            **context,
        }

    @cached_property
    def user_tags(self):
        return Tag.objects.for_user(self.request.user)

    @cached_property
    def missing_tag(self):
        """The tag filtered by, if the user has no tag of that name (renamed or deleted since,
        in another tab): the tag filter names it, rather than "Any tag" while it still applies.

        Reads the user's tags the filter lists (one query for both).
        """
        wanted = self.list_options.tag
        if wanted and all(tag.name.lower() != wanted.lower() for tag in self.user_tags):
            return wanted
        return ""

    def sort_links(self):
        current = self.list_options.sort
        links = []
        for label, first, opposite in SORT_LINKS:
            active = current in (first, opposite)
            links.append(
                {
                    "label": label,
                    "value": opposite if current == first else first,
                    "current": current if active else "",
                    "descending": current.startswith("-") if active else None,
                }
            )
        return links

    def get_template_names(self):
        if self.request.htmx:
            return [LIST_PARTIAL_TEMPLATE]
        return super().get_template_names()

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        # The same URL answers with a page or a fragment: caches must tell them apart.
        patch_vary_headers(response, ("HX-Request",))
        shown = context["page_obj"].number
        if self.request.htmx and shown != self.list_options.page:
            # An action emptied the last page: the fragment shows the one before, and the
            # address bar must say so, or a reload or a shared link would name a page past the end.
            replace_url(response, list_url(self.request.GET, page=shown))
        return response


@read_only
class TodoDetailView(OwnedTodoMixin, ObjectFirstMixin, DetailView):
    def get_queryset(self):
        return super().get_queryset().with_tag_names()


class TodoCreateView(OwnedTodoMixin, ListOptionsMixin, FormPageMixin, CreateView):
    """The full form; the list's quick add posts its title here too."""

    model = Todo
    form_class = TodoForm

    def form_valid(self, form):
        form.instance.owner = self.request.user
        todo = form.save()
        # Under htmx, the list region: rendered after this view returns, so the message added
        # below still shows in it.
        response = self.list_response()
        if form.sent_before:
            # A double click: the first answer, with its "Added", may never have been shown.
            messages.info(self.request, f"“{todo.title}” was added already.")
        elif self.is_on_the_listed_page(todo, response):
            messages.success(self.request, f"Added “{todo.title}”.")
        else:
            # Added from a filtered list, another sort or a later page, where it is not shown:
            # without a word and a link, it would look lost.
            messages.success(
                self.request,
                format_html(
                    "Added “{}”, which this page of the list does not show: "
                    '<a href="{}">open it</a>.',
                    todo.title,
                    todo.get_absolute_url(),
                ),
            )
        return response

    def is_on_the_listed_page(self, todo, response):
        """Whether the list the user goes back to shows `todo` on the page they were on.

        Under htmx `response` is that list region, whose page is read here once for both;
        otherwise the page the redirect went by (`listed_page`).
        """
        if self.request.htmx:
            rows = response.context_data["page_obj"].object_list
            return any(row.pk == todo.pk for row in rows)
        return todo.pk in self.listed_page.object_list

    def form_invalid(self, form):
        if self.request.htmx:
            return render_todo_app(self.request, quick_add_form=form)
        return super().form_invalid(form)


class TodoUpdateView(OwnedTodoMixin, ObjectFirstMixin, ListOptionsMixin, FormPageMixin, UpdateView):
    form_class = TodoEditForm

    def get_queryset(self):
        # The form and the changed-elsewhere page read the tags.
        return super().get_queryset().prefetch_related("tags")

    def form_valid(self, form):
        try:
            todo = form.save()
        except TodoChangedElsewhere:
            return self.changed_elsewhere(form)
        messages.success(self.request, f"Saved “{todo.title}”.")
        return self.list_response()

    def changed_elsewhere(self, submitted):
        """The form again, with the user's input, the todo as it is now and its new version.

        Unless the todo now holds just what was submitted (the Save button clicked twice): then
        it is saved, as the first click said.
        """
        current = self.get_queryset().filter(pk=self.object.pk).first()
        if current is None:
            messages.error(
                self.request, "This todo was deleted elsewhere; your changes were not saved."
            )
            return self.list_response()
        if submitted.is_saved_in(current):
            messages.success(self.request, f"Saved “{current.title}”.")
            return self.list_response()
        data = self.request.POST.copy()
        data["version"] = str(current.version)
        # The form gets its own copy: validating it writes the input onto its instance.
        form = self.get_form_class()(data=data, instance=self.get_queryset().get(pk=current.pk))
        form.add_error(
            None,
            ValidationError(
                "Someone changed this todo since you opened it (in another tab or device). "
                "It was not saved. Its current values are shown below the form; your changes "
                "are still in the form: check them and save again to keep them.",
                code="changed_elsewhere",
            ),
        )
        return self.render_to_response(self.get_context_data(form=form, current=current))


class TodoDeleteView(OwnedTodoMixin, ObjectFirstMixin, ListOptionsMixin, FormPageMixin, DeleteView):
    def form_valid(self, form):
        title = self.object.title
        todos_delete(todos=self.get_queryset().filter(pk=self.object.pk))
        messages.success(self.request, f"Deleted “{title}”.")
        return self.list_response(at="todo-list")


class TodoToggleView(OwnedTodoMixin, ObjectFirstMixin, ListOptionsMixin, View):
    """Completes or reopens one todo.

    The form says which (`done` = 1 or 0), so a repeated or stale click does not flip it back;
    without `done` the todo flips.
    """

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        todo = self.object
        try:
            done = self.posted_done()
        except ValueError:
            return self.not_understood()
        if done is None:
            done = not todo.done
        state = "done" if done else "not done"
        if self.get_queryset().filter(pk=todo.pk).set_done(done):
            messages.success(request, f"Marked “{todo.title}” as {state}.")
        else:
            messages.info(request, f"“{todo.title}” was already {state}.")
        # Back to the row toggled, not the top of the page; to the list's start when the list
        # no longer shows the row (a todo done under "Active").
        todo.done = done
        return self.list_response(
            at=f"todo-{todo.pk}" if self.list_options.shows(todo) else "todo-list"
        )


class TodoToggleAllView(OwnedTodoMixin, ListOptionsMixin, View):
    """Completes every listed todo (status, search and tag), or reopens them all.

    The form says which (`done` = 1 or 0, as its label), so a second click or a stale tab does
    not undo the first; without `done`, they are reopened if all are done, else completed.
    """

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            wanted = self.posted_done()
        except ValueError:
            return self.not_understood()
        done, count = todo_toggle_all(
            owner=request.user,
            todos=self.list_options.listed(self.get_queryset(), request.user),
            done=wanted,
        )
        if count:
            state = "done" if done else "not done"
            messages.success(request, f"Marked {count} todo{pluralize(count)} as {state}.")
        else:
            messages.info(request, "There was nothing to mark.")
        return self.list_response()


class TodoClearCompletedView(OwnedTodoMixin, ListOptionsMixin, View):
    """Deletes the completed todos matching the search and tag."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        count = todo_clear_completed(
            owner=request.user, todos=self.list_options.matching(self.get_queryset(), request.user)
        )
        if count:
            messages.success(request, f"Deleted {count} completed todo{pluralize(count)}.")
        else:
            messages.info(request, "There were no completed todos to delete.")
        return self.list_response()


class TagListView(OwnedTagMixin, ListView):
    """The user's tags with their open and done counts, in one query."""

    def get_queryset(self):
        # Meta.ordering does not apply to queries with GROUP BY, so it is spelt out here.
        return super().get_queryset().with_todo_counts().order_by(*TAG_ORDER)


class TagUpdateView(OwnedTagMixin, ObjectFirstMixin, FormPageMixin, UpdateView):
    """Renames a tag; a name the user already has (ignoring case) merges the two."""

    form_class = TagForm
    success_url = reverse_lazy("todos:tag_list")

    def form_valid(self, form):
        old_name = form.initial["name"]
        if not form.has_changed():
            # A rename changes the tag's todos (their versions): not for the same name.
            messages.info(self.request, f"“{old_name}” kept its name.")
            return HttpResponseRedirect(self.get_success_url())
        tag, merged = tag_rename(tag=self.object, name=form.cleaned_data["name"])
        if merged:
            messages.success(self.request, f"Merged “{old_name}” into “{tag.name}”.")
        else:
            messages.success(self.request, f"Renamed “{old_name}” to “{tag.name}”.")
        return HttpResponseRedirect(self.get_success_url())


class TagDeleteView(OwnedTagMixin, ObjectFirstMixin, FormPageMixin, DeleteView):
    """Deletes a tag; its todos stay, without it."""

    success_url = reverse_lazy("todos:tag_list")

    def get_queryset(self):
        tags = super().get_queryset()
        # The confirmation says how many todos lose the tag; the deletion itself counts nothing.
        return tags.with_todo_counts() if self.request.method in ("GET", "HEAD") else tags

    def form_valid(self, form):
        name = self.object.name
        tag_delete(tags=self.get_queryset().filter(pk=self.object.pk))
        messages.success(self.request, f"Deleted the tag “{name}”; its todos are kept.")
        return HttpResponseRedirect(self.get_success_url())
