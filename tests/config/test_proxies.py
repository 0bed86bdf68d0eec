from http import HTTPStatus

import pytest
from django.test import RequestFactory

from config.proxies import client_ip
from tests.users.helpers import LOGIN_URL, is_logged_in

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


def seen_from(forwarded=None, remote=PROXY):
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


def test_without_proxies_the_address_is_the_connections(settings):
    settings.TRUSTED_PROXIES = 0
    assert seen_from("198.51.100.66") == PROXY


@pytest.mark.parametrize(
    ("proxies", "forwarded", "client"),
    [
        (1, "198.51.100.66", "198.51.100.66"),
        # What the visitor wrote comes first; the proxy's entry is the last.
        (1, "1.2.3.4, 198.51.100.66", "198.51.100.66"),
        (1, "1.2.3.4,198.51.100.66", "198.51.100.66"),
        (2, "1.2.3.4, 198.51.100.66, 10.0.0.9", "198.51.100.66"),
        (1, "2001:db8::1", "2001:db8::1"),
        (1, "1.2.3.4, 198.51.100.66:41234", "198.51.100.66"),
        (1, "[2001:db8::1]:41234", "2001:db8::1"),
        # Not through the proxies, or not an address: the connection's own.
        (1, None, PROXY),
        (2, "198.51.100.66", PROXY),
        (1, "", PROXY),
        (1, "1.2.3.4, not-an-address", PROXY),
        (1, "1.2.3.4, ", PROXY),
    ],
)
def test_behind_proxies_it_is_the_address_the_outermost_one_saw(
    settings, proxies, forwarded, client
):
    settings.TRUSTED_PROXIES = proxies
    assert seen_from(forwarded) == client


def test_behind_a_proxy_a_lockout_holds_one_visitor_not_everyone(settings, client, staff, password):
    """Five wrong passwords from one visitor used to lock the admin out for every visitor, as
    every request came from the proxy's address."""
    settings.TRUSTED_PROXIES = 1
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.66"}
    owner = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.7"}

    def attempt(secret, meta):
        return client.post(LOGIN_URL, {"username": staff.username, "password": secret}, **meta)

    statuses = [attempt("wrong", attacker).status_code for _ in range(6)]
    assert statuses == [HTTPStatus.OK] * 4 + [HTTPStatus.TOO_MANY_REQUESTS] * 2
    assert attempt(password, attacker).status_code == HTTPStatus.TOO_MANY_REQUESTS

    assert attempt(password, owner).status_code == HTTPStatus.FOUND
    assert is_logged_in(client)
