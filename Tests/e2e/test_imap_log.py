"""The audit trail of SPEC §6: one session id across the three roles, the events of a
session's life, and never a password."""
import base64

from harness import curl
from harness.accounts import MAIL_USERS, VPN_PASSWORD, VPN_USER, WRONG_PASSWORD
from harness.imapclient import ImapConnection
from harness.imapflows import imaplib_client

ALICE = MAIL_USERS["alice"]


def test_one_session_is_logged_by_listener_authd_and_relay(postern, pki):
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.login("alice", ALICE).ok
        conn.first_message()
        conn.logout()
    session = postern.session_of_client(conn.local_port)
    closed = postern.wait_for("session-closed", session=session)

    events = postern.find(session=session)
    roles = {e.get("role") for e in events}
    assert {"listener", "authd", "relay"} <= roles, roles
    names = {e["event"] for e in events}
    assert {"connection-accepted", "tls-established", "auth-attempt", "auth-result",
            "relay-established", "session-closed"} <= names, names
    assert postern.find("auth-result", session=session, result="success")
    assert int(closed["bytes-in"]) > 0 and int(closed["bytes-out"]) > 0, closed
    assert closed.get("reason"), closed


def test_failed_login_is_logged_with_a_reason(postern, pki):
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.login("alice", WRONG_PASSWORD).status == "NO"
    session = postern.session_of_client(conn.local_port)
    failure = postern.wait_for("auth-result", session=session, result="failure")
    assert failure.get("reason"), failure


def test_no_password_reaches_the_log(postern, pki):
    b64 = lambda s: base64.b64encode(s.encode()).decode()
    pair = f"{VPN_PASSWORD}:{ALICE}"
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.login("alice", WRONG_PASSWORD).status == "NO"
        assert conn.authenticate_login("alice", WRONG_PASSWORD).status == "NO"
        assert conn.login(f"{VPN_USER}:alice", pair).ok
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.authenticate_plain("alice", ALICE).ok
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.authenticate_plain("alice", ALICE, initial_response=False).ok
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.authenticate_login("alice", ALICE).ok
    with imaplib_client(postern.port, pki.ca_cert) as imap:
        assert imap.login("bob", MAIL_USERS["bob"])[0] == "OK"
    assert curl.imaps(postern.port, "", "carol", MAIL_USERS["carol"], pki.ca_cert).returncode == 0

    secrets = {ALICE, WRONG_PASSWORD, VPN_PASSWORD, pair, MAIL_USERS["bob"], MAIL_USERS["carol"],
               b64(ALICE), b64(WRONG_PASSWORD), b64(f"\0alice\0{ALICE}"), b64(f"\0carol\0{MAIL_USERS['carol']}")}
    postern.assert_no_secrets(secrets)
    assert postern.find("auth-result", result="success"), "the logins above left no trace"
