"""The transfer's states and what moves it: one table, read by the services, the pages and the tests.

(route, state, event) -> (next state, the side that does it). "from" is the sending organization, "to" the
receiving one. A letter inside the installation is accepted or returned by the receiving organization and its
return slip recorded by the sending one; on the paper route the side in the installation does everything:
the sending organization records the slip that comes back (and the member leaves the installation that day)
or the letter coming back refused; an incoming paper letter is registered as accepted and its slip sent back.
Expiry is no state: a letter still `issued` past `valid_until` is expired (computed from dates), and can only
be cancelled (and a new one issued).
"""
from __future__ import annotations

ISSUED, ACCEPTED, RETURNED, CANCELLED, CLOSED = "issued", "accepted", "returned", "cancelled", "closed"
INTERNAL, OUTGOING, INCOMING = "internal", "outgoing", "incoming"
ACCEPT, RETURN, CANCEL, SLIP = "accept", "return", "cancel", "slip"
EVENTS = (ACCEPT, RETURN, CANCEL, SLIP)

TABLE: dict[tuple[str, str, str], tuple[str, str]] = {
    (INTERNAL, ISSUED, ACCEPT): (ACCEPTED, "to"),
    (INTERNAL, ISSUED, RETURN): (RETURNED, "to"),
    (INTERNAL, ISSUED, CANCEL): (CANCELLED, "from"),
    (INTERNAL, ACCEPTED, SLIP): (CLOSED, "from"),
    (OUTGOING, ISSUED, SLIP): (CLOSED, "from"),
    (OUTGOING, ISSUED, RETURN): (RETURNED, "from"),
    (OUTGOING, ISSUED, CANCEL): (CANCELLED, "from"),
    (INCOMING, ACCEPTED, SLIP): (CLOSED, "to"),
}

# a letter on its way: the member can be in one at most
OPEN = frozenset({ISSUED})
# the state a route starts in
START = {INTERNAL: ISSUED, OUTGOING: ISSUED, INCOMING: ACCEPTED}


def step(route: str, state: str, event: str) -> tuple[str, str] | None:
    """(next state, side that may do it), or None: the event is not allowed now."""
    return TABLE.get((route, state, event))


def events(route: str, state: str) -> list[str]:
    """What may happen next, in the table's order."""
    return [e for (r, s, e) in TABLE if r == route and s == state]
