"""Template tags for the todo admin."""

import copy

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.contrib.admin.templatetags.base import InclusionAdminNode

from todos.admin_tools import DateRangeHierarchy

register = template.Library()


def range_date_hierarchy(cl):
    """Django's date hierarchy, with its periods taken from the first and last rows."""
    ranged = copy.copy(cl)
    ranged.queryset = DateRangeHierarchy(cl.queryset)
    return date_hierarchy(ranged)


@register.tag(name="range_date_hierarchy")
def range_date_hierarchy_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=range_date_hierarchy,
        template_name="date_hierarchy.html",
        takes_context=False,
    )
