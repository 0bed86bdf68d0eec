import pytest
from django.http import QueryDict

from tests.factories import UserFactory
from todos.listing import (
    PAGE_NUMBER_MAX,
    PAGE_SIZE_DEFAULT,
    SEARCH_MAX_LENGTH,
    ListDefaults,
    ListOptions,
    ListSort,
    ListStatus,
    list_defaults_for,
    list_url,
    tag_link_prefix,
)


def options(query, defaults=None):
    return ListOptions.from_query(QueryDict(query), defaults)


def test_no_parameters_give_the_defaults():
    assert options("") == ListOptions(
        status=ListStatus.ALL, sort=ListSort.NEWEST, per_page=PAGE_SIZE_DEFAULT, page=1
    )


def test_known_values_are_read():
    assert options("status=active&sort=due&per_page=50&page=3&q=milk&tag=Home") == ListOptions(
        status="active", sort="due", per_page=50, page=3, q="milk", tag="Home"
    )


@pytest.mark.parametrize(
    "query",
    [
        "status=done",
        "status=",
        "status=ALL",
        "status=active%00",
        "sort=banana",
        "sort=created_at",
        "sort=%00",
        "per_page=0",
        "per_page=9",
        "per_page=101",
        "per_page=100000",
        "per_page=-10",
        "per_page=abc",
        "per_page=25.5",
        "per_page=%D9%A3%D9%A0",  # Arabic-Indic digits: isdigit() but not ours
        "page=-1",
        "page=0",
        "page=abc",
        "page=1.5",
        "page=",
        "page=%00",
    ],
)
def test_unknown_values_fall_back_to_the_defaults(query):
    assert options(query) == ListOptions()


def test_the_url_overrides_the_users_defaults_and_bad_values_keep_them():
    defaults = ListDefaults(status="active", sort="title", per_page=10)
    assert options("status=completed&sort=-due&per_page=100", defaults) == ListOptions(
        status="completed", sort="-due", per_page=100
    )
    assert options("status=nope&sort=nope&per_page=7", defaults) == ListOptions(
        status="active", sort="title", per_page=10
    )


def test_huge_page_numbers_are_past_any_end_for_the_paginator_to_clamp():
    assert options(f"page={PAGE_NUMBER_MAX}").page == PAGE_NUMBER_MAX
    assert options("page=" + "9" * 30).page == PAGE_NUMBER_MAX
    assert options("page=" + "9" * 5000).page == PAGE_NUMBER_MAX


def test_search_is_trimmed_cut_and_loses_nul_characters():
    assert options("q=%20milk%00%20").q == "milk"
    assert len(options("q=" + "x" * 5000).q) == SEARCH_MAX_LENGTH


def test_a_tag_longer_than_any_tag_name_stays_a_filter_no_tag_matches():
    assert options("tag=" + "x" * 50).tag == "x" * 50
    assert options("tag=" + "x" * 51).tag == "x" * 51
    assert options("tag=" + "x" * 5000).tag == "x" * 51


@pytest.mark.parametrize(
    ("preferences", "expected"),
    [
        ({}, ListDefaults()),
        (
            {"default_status": "active", "default_sort": "-priority", "page_size": 50},
            ListDefaults(status="active", sort="-priority", per_page=50),
        ),
        ({"page_size": "10"}, ListDefaults(per_page=10)),
        (
            {"default_status": "weird", "default_sort": ["due"], "page_size": 5},
            ListDefaults(),
        ),
        ({"page_size": True}, ListDefaults()),
        ({"page_size": 25.0}, ListDefaults()),
        ({"page_size": None, "default_status": None}, ListDefaults()),
        ([], ListDefaults()),
        ("active", ListDefaults()),
        (None, ListDefaults()),
    ],
)
def test_list_defaults_read_each_preference_defensively(preferences, expected):
    user = UserFactory.build(preferences=preferences)
    assert list_defaults_for(user) == expected


def test_list_url_keeps_only_the_list_parameters():
    url = list_url(QueryDict("status=active&q=a+b&csrfmiddlewaretoken=x&page=2&next=//evil"))
    assert url == "/todos/?status=active&q=a+b&page=2"
    assert list_url(QueryDict("")) == "/todos/"


def test_tag_link_prefix_keeps_the_list_parameters_but_the_tag_and_the_page():
    params = QueryDict("status=active&q=a+b&tag=work&page=3&per_page=10&next=//evil")
    assert tag_link_prefix(params) == "?status=active&q=a+b&per_page=10&tag="


def test_tag_link_prefix_of_an_unfiltered_list_is_the_tag_alone():
    assert tag_link_prefix(QueryDict("")) == "?tag="
    assert tag_link_prefix(QueryDict("tag=work&page=2")) == "?tag="
