"""Accounting across restarts (SPEC §3): exactly one Start and one Stop per session whatever
restarts in between, Acct-Session-Time from the login, the Access-Accept's Class echoed in Start
and Stop, and login slots that follow the sessions. Against a real FreeRADIUS."""
import os
import signal
import time

from harness.accounts import MAIL_USERS
from harness.imapclient import ImapConnection, login_eventually
from harness.radius import ENGINEERING_CLASS, radius_group
from harness.secretfiles import write_secret

CLASS_HEX = "0x" + ENGINEERING_CLASS.encode().hex()


def radius_postern(start_postern, radius, e2e_dir, simultaneous=2):
    secret = write_secret(e2e_dir / "radius-secret-acct", radius.secret)
    postern = start_postern(overrides={
        "aaa-server-group": {"RAD": radius_group(secret, (radius.ports.auth, radius.ports.acct))},
        "group-policy": {"Engineering": {"simultaneous-logins": simultaneous}},
        "imap4s": {"authentication-server-group": "RAD", "accounting-server-group": "RAD"},
    })
    assert radius.wait_for_accounting(Acct_Status_Type="Accounting-On")
    return postern


def records(radius, status: str, session: str) -> list:
    return [r for r in radius.accounting_records()
            if r.get("Acct-Status-Type") == status and r.get("Acct-Session-Id") == session]


def login(postern, pki, user="alice") -> tuple:
    conn = ImapConnection(postern.port, pki.ca_cert)
    assert conn.login(user, MAIL_USERS[user]).ok
    return conn, postern.session_of_client(conn.local_port)


def test_class_is_echoed_and_session_time_counts_from_the_login(start_postern, radius, dovecot, pki, e2e_dir):
    postern = radius_postern(start_postern, radius, e2e_dir)
    conn = ImapConnection(postern.port, pki.ca_cert)
    try:
        time.sleep(3)                  # connected, not yet logged in: not part of the session time
        assert conn.login("alice", MAIL_USERS["alice"]).ok
        session = postern.session_of_client(conn.local_port)
        start = radius.wait_for_accounting(Acct_Status_Type="Start", Acct_Session_Id=session)
        assert start.get("Class") == CLASS_HEX, start
        conn.logout()
    finally:
        conn.close()
    stop = radius.wait_for_accounting(Acct_Status_Type="Stop", Acct_Session_Id=session)
    assert stop.get("Class") == CLASS_HEX, stop
    assert int(stop["Acct-Session-Time"]) < 2, f"counted from the connection, not the login: {stop}"


def test_a_restarted_authd_sends_no_second_start_and_counts_the_live_sessions(start_postern, radius, dovecot, pki,
                                                                              e2e_dir):
    postern = radius_postern(start_postern, radius, e2e_dir, simultaneous=2)
    first, first_session = login(postern, pki)
    try:
        radius.wait_for_accounting(Acct_Status_Type="Start", Acct_Session_Id=first_session)
        old = postern.pid("authd")
        mark = postern.mark()
        os.kill(old, signal.SIGKILL)
        postern.wait_for("child-started", since=mark, timeout=15, child="authd")
        # The new authd heard of alice's live session: one more login fits, the next does not.
        second = login_eventually(postern.port, pki.ca_cert, "alice", MAIL_USERS["alice"], timeout=10)
        second_session = postern.session_of_client(second.local_port)
        with ImapConnection(postern.port, pki.ca_cert) as third:
            assert not third.login("alice", MAIL_USERS["alice"]).ok, "the restarted authd forgot a live session"
        assert first.command("SELECT INBOX").ok, "the session went on through the restart"
        first.logout()
        second.logout()
    finally:
        first.close()
    for session in (first_session, second_session):
        stop = radius.wait_for_accounting(Acct_Status_Type="Stop", Acct_Session_Id=session)
        assert stop["Acct-Terminate-Cause"] == "User-Request", stop
        assert stop.get("Class") == CLASS_HEX, stop
    time.sleep(1)
    assert len(records(radius, "Start", first_session)) == 1, records(radius, "Start", first_session)
    assert len(records(radius, "Stop", first_session)) == 1
    assert len(records(radius, "Start", second_session)) == 1


def test_a_killed_listener_is_followed_by_lost_service_stops_and_free_slots(start_postern, radius, dovecot, pki,
                                                                            e2e_dir):
    postern = radius_postern(start_postern, radius, e2e_dir, simultaneous=2)
    conns, sessions = [], []
    try:
        for _ in range(2):
            conn, session = login(postern, pki)
            conns.append(conn)
            sessions.append(session)
            radius.wait_for_accounting(Acct_Status_Type="Start", Acct_Session_Id=session)
        mark = postern.mark()
        os.kill(postern.pid("listener"), signal.SIGKILL)
        postern.wait_for("child-started", since=mark, timeout=15, child="listener")
        for session in sessions:
            stop = radius.wait_for_accounting(timeout=10, Acct_Status_Type="Stop", Acct_Session_Id=session)
            assert stop["Acct-Terminate-Cause"] == "Lost-Service", stop
        # Both of alice's slots are free again.
        for _ in range(2):
            conns.append(login_eventually(postern.port, pki.ca_cert, "alice", MAIL_USERS["alice"], timeout=10))
        time.sleep(1)
        for session in sessions:
            assert len(records(radius, "Stop", session)) == 1, records(radius, "Stop", session)
    finally:
        for conn in conns:
            conn.close()
