"""The group policy's limits on a logged-in session (SPEC §3): idle timeout and maximum
session time, enforced by the listener."""
import time

from harness.accounts import MAIL_USERS
from harness.imapclient import ImapConnection


def test_an_idle_session_is_closed_at_the_policy_idle_timeout(start_postern, pki):
    postern = start_postern(overrides={"group-policy": {"DfltGrpPolicy": {"idle-timeout": "2s"}}})
    conn = ImapConnection(postern.port, pki.ca_cert)
    try:
        assert conn.login("alice", MAIL_USERS["alice"]).ok
        # Activity keeps it open past the timeout...
        for _ in range(3):
            time.sleep(1)
            assert conn.command("NOOP").ok
        # ...silence does not.
        assert conn.closed_by_server(8), "the idle session was not closed"
        closed = postern.wait_for("session-closed", session=postern.session_of_client(conn.local_port))
        assert closed["reason"] == "idle-timeout", closed
    finally:
        conn.close()


def test_a_busy_session_ends_at_the_maximum_session_time(start_postern, pki):
    postern = start_postern(overrides={"group-policy": {"DfltGrpPolicy": {"max-session-time": "3s"}}})
    conn = ImapConnection(postern.port, pki.ca_cert)
    try:
        assert conn.login("alice", MAIL_USERS["alice"]).ok
        started = time.monotonic()
        ended = False
        while time.monotonic() - started < 10:
            try:
                if not conn.command("NOOP").ok:
                    break
            except Exception:
                ended = True
                break
            time.sleep(0.3)
        assert ended or conn.closed_by_server(5), "the session outlived max-session-time"
        assert time.monotonic() - started >= 2.5
        closed = postern.wait_for("session-closed", session=postern.session_of_client(conn.local_port))
        assert closed["reason"] == "max-session-time", closed
    finally:
        conn.close()
