"""Limits of SPEC §3-4: simultaneous logins per VPN user, and the `outstanding` bound on
sessions that have not authenticated yet."""
from harness.accounts import MAIL_USERS
from harness.imapclient import ImapConnection, login_eventually

CAROL = MAIL_USERS["carol"]


def test_fourth_concurrent_session_is_refused_until_one_ends(postern, pki):
    sessions = []
    try:
        for _ in range(3):
            conn = ImapConnection(postern.port, pki.ca_cert)
            sessions.append(conn)
            assert conn.login("carol", CAROL).ok
        fourth = ImapConnection(postern.port, pki.ca_cert)
        sessions.append(fourth)
        assert fourth.login("carol", CAROL).status == "NO"
        postern.wait_for("limit-refused", limit="simultaneous-logins")
        for conn in sessions[:3]:
            assert conn.alive()

        first = sessions.pop(0)
        first.logout()
        postern.wait_for("session-closed", session=postern.session_of_client(first.local_port))
        fifth = login_eventually(postern.port, pki.ca_cert, "carol", CAROL, timeout=5)
        sessions.append(fifth)
        assert fifth.command("SELECT INBOX").ok
    finally:
        for conn in sessions:
            conn.close()


def test_outstanding_evicts_the_oldest_unauthenticated_sessions(start_postern, pki):
    postern = start_postern(overrides={"imap4s": {"outstanding": 3}})
    authenticated = ImapConnection(postern.port, pki.ca_cert)
    pending = []
    try:
        assert authenticated.login("alice", MAIL_USERS["alice"]).ok
        # Each connection is through TLS and greeted before the next one starts, so the
        # listener sees them in this order.
        for _ in range(5):
            pending.append(ImapConnection(postern.port, pki.ca_cert))
        a, b, c, d, e = pending
        assert a.closed_by_server(10), "the oldest unauthenticated session was not closed"
        assert b.closed_by_server(10), "the second oldest unauthenticated session was not closed"
        for conn in (c, d, e):
            assert conn.alive(), "a session within the limit was closed"

        evicted = {ev["session"] for ev in postern.find("outstanding-evicted") if "session" in ev}
        assert evicted == {postern.session_of_client(a.local_port),
                           postern.session_of_client(b.local_port)}, postern.find("outstanding-evicted")
        # Authenticated sessions never count and are never closed for it.
        assert authenticated.alive()
        assert authenticated.command("SELECT INBOX").ok
    finally:
        for conn in [authenticated, *pending]:
            conn.close()


def test_outstanding_evicts_unauthenticated_before_authenticating(start_postern, pki):
    postern = start_postern(overrides={"imap4s": {"outstanding": 3}})
    conns = []
    try:
        authenticating = ImapConnection(postern.port, pki.ca_cert)
        conns.append(authenticating)
        authenticating.begin_authenticate_login("alice")
        for _ in range(3):
            conns.append(ImapConnection(postern.port, pki.ca_cert))
        _, idle, second, newest = conns
        # Over the limit: the oldest *unauthenticated* one goes, though the
        # authenticating session is older.
        assert idle.closed_by_server(10)
        assert not authenticating.closed_by_server(1)
        assert second.alive() and newest.alive()
    finally:
        for conn in conns:
            conn.close()
