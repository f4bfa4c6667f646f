"""The raw clients of the three protocols behind one set of calls, for tests that do the same
thing on IMAP4S, POP3S and SMTPS: connect (from a chosen source address), log in, and check
that a session still answers."""
import time

from .imapclient import ImapConnection
from .pop3client import Pop3Connection
from .smtpclient import SmtpConnection
from .tlslines import ServerClosed

PROTOCOLS = ("imap4s", "pop3s", "smtps")
CLIENTS = {"imap4s": ImapConnection, "pop3s": Pop3Connection, "smtps": SmtpConnection}


def connect(postern, protocol: str, cafile, source: str = None):
    """A greeted, unauthenticated session on `protocol`'s port of `postern`."""
    return CLIENTS[protocol](postern.port_of(protocol), cafile, source=source)


def log_in(conn, user: str, password: str) -> bool:
    """LOGIN, USER/PASS, or EHLO and AUTH PLAIN; True when the server accepted."""
    if isinstance(conn, ImapConnection):
        return conn.login(user, password).ok
    if isinstance(conn, Pop3Connection):
        return conn.ok(conn.user_pass(user, password))
    conn.ehlo()
    return conn.auth_plain(user, password).code == 235


def answers(conn) -> bool:
    """True when the session, logged in or not, still answers a harmless command: IMAP NOOP,
    POP3 CAPA (NOOP is not allowed before login), SMTP NOOP."""
    try:
        if isinstance(conn, ImapConnection):
            return conn.command("NOOP").ok
        if isinstance(conn, Pop3Connection):
            return conn.ok(conn.multiline("CAPA")[0])
        return conn.command("NOOP").code == 250
    except (ServerClosed, OSError):
        return False


def log_in_eventually(postern, protocol: str, cafile, user: str, password: str, timeout: float):
    """A new session on `protocol` that logs in, retried for `timeout` seconds: for the moments
    after a session ends, when its login slot may not be free yet."""
    deadline = time.monotonic() + timeout
    while True:
        conn = connect(postern, protocol, cafile)
        if log_in(conn, user, password):
            return conn
        conn.close()
        assert time.monotonic() < deadline, f"{user} could not log in on {protocol} within {timeout}s"
        time.sleep(0.2)
