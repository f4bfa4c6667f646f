"""Logins abandoned every way a client or the listener can abandon them (closed right after
LOGIN, evicted while authd waits, cut by `authentication-timeout`) hold no login slot once
their checks end: the user can then log in `simultaneous-logins` times. A client that logs in
again after a timeout, while authd still checks its first attempt, gets an answer, not a final
refusal. Against a RADIUS server that answers slowly."""
import time

from harness import soakload
from harness.accounts import MAIL_USERS
from harness.imapclient import ImapConnection
from harness.radiusfakes import SlowRadius
from harness.secretfiles import write_secret

USER = "bob"


def login_slots(postern) -> int:
    return soakload.tables_of_every_role(postern.directory / "admin.sock")["authd 0"]["login-slots"]


def test_abandoned_logins_leave_every_slot_free(start_postern, pki, e2e_dir):
    with SlowRadius(delay=2.0) as slow:
        secret = write_secret(e2e_dir / "slow-radius-secret", slow.secret)
        postern = start_postern(overrides={
            "aaa-server-group": {"SLOW": {"protocol": "radius", "timeout": "5s", "retries": 0, "dead-time": "60s",
                                          "server": [{"host": "127.0.0.1", "auth-port": slow.port,
                                                      "acct-port": slow.port, "secret-file": str(secret)}]}},
            "imap4s": {"authentication-server-group": "SLOW", "outstanding": 1},
            "limits": {"authentication-timeout": "1s"},
            "group-policy": {"DfltGrpPolicy": {"simultaneous-logins": 3}},
        })
        login = f'a LOGIN {USER} "{MAIL_USERS[USER]}"\r\n'.encode()

        # Three logins closed right after LOGIN.
        for _ in range(3):
            conn = ImapConnection(postern.port, pki.ca_cert)
            conn.send(login)
            conn.close()
        # One evicted while authd waits: with outstanding = 1, the next connection evicts it.
        mark = postern.mark()
        evicted = ImapConnection(postern.port, pki.ca_cert)
        evicted.send(login)
        time.sleep(0.3)
        with ImapConnection(postern.port, pki.ca_cert) as newcomer:
            postern.wait_for("outstanding-evicted", since=mark)
            assert evicted.closed_by_server(5)
            # One cut by authentication-timeout, and logged in again at once while authd still
            # checks the first attempt: a temporary refusal each time, the session kept.
            first = newcomer.login(USER, MAIL_USERS[USER])
            assert first.status == "NO" and "UNAVAILABLE" in first.text, first
            again = newcomer.login(USER, MAIL_USERS[USER])
            assert again.status == "NO" and "UNAVAILABLE" in again.text, f"the retry was refused for good: {again}"
            assert newcomer.command("NOOP").ok, "the session that retried was closed"
        evicted.close()

        # Every check ends (the slow answers arrive) and no slot stays taken.
        deadline = time.monotonic() + 15
        while (slots := login_slots(postern)) != 0:
            assert time.monotonic() < deadline, f"{slots} login slot(s) held by abandoned logins"
            time.sleep(0.2)
        # The timed-out login and its retry were asked; a login whose session ended before authd
        # started on it is dropped without asking (work for an abandoned request ends).
        assert len(slow.requests) >= 2, slow.requests

        slow.delay = 0
        held = []
        try:
            for _ in range(3):
                conn = ImapConnection(postern.port, pki.ca_cert)
                held.append(conn)
                assert conn.login(USER, MAIL_USERS[USER]).ok, "a slot is still held by an abandoned login"
            with ImapConnection(postern.port, pki.ca_cert) as fourth:
                assert not fourth.login(USER, MAIL_USERS[USER]).ok, "simultaneous-logins no longer holds"
        finally:
            for conn in held:
                conn.close()
