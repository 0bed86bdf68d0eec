"""The visitor's address behind reverse proxies, for the login throttle (django-axes)."""

import ipaddress

from django.conf import settings


def without_port(address):
    """Some load balancers add the port: "203.0.113.7:41234", "[2001:db8::1]:41234"."""
    if address.startswith("["):
        return address[1:].partition("]")[0]
    if address.count(":") == 1:
        return address.partition(":")[0]
    return address


def client_ip(request):
    """REMOTE_ADDR; behind settings.TRUSTED_PROXIES proxies, the address the outermost of them
    received the request from: X-Forwarded-For's entry that many from its end.

    Behind a proxy, REMOTE_ADDR is the proxy's own for every visitor, so a lockout of a username
    from an address would lock the username out for everyone: anyone could lock out the admin.
    Each proxy appends the address it was sent the request from; the entries left of those are
    whatever the visitor wrote, and are never read. A request with fewer entries than proxies, or
    a value that is not an address, did not come through them: its REMOTE_ADDR is its own.
    Anyone who can reach the app other than through the proxies can write the header: with
    proxies, the app must listen where only they reach it (the README says so).
    """
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(forwarded) >= proxies:
            candidate = without_port(forwarded[-proxies].strip())
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR")
