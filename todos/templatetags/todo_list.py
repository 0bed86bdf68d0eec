from django import template
from django.utils.html import format_html_join

from todos.listing import list_query

register = template.Library()


@register.simple_tag(takes_context=True)
def hidden_list_inputs(context, exclude=""):
    """Hidden inputs carrying the list parameters of request.GET, but those in `exclude`.

    A GET form that sets some of the parameters (the search box) keeps the others this way,
    as the links keep them with {% querystring %}.
    """
    excluded = set(exclude.split())
    params = list_query(context.request.GET)
    return format_html_join(
        "",
        '<input type="hidden" name="{}" value="{}">',
        (
            (name, value)
            for name in params
            if name not in excluded
            for value in params.getlist(name)
        ),
    )
