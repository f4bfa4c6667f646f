"""Fair pre-auth limits (SPEC §4): one address cannot fill `outstanding` and so deny other
addresses' logins (`outstanding-per-address`), and no session stays unauthenticated past
`preauth-max-time`, whatever it sends."""
import socket
import threading
import time

from harness.accounts import MAIL_USERS, WRONG_PASSWORD
from harness.imapclient import ImapConnection
from harness.tlslines import ServerClosed

FLOODER = "127.0.0.2"
CLIENT = "127.0.0.3"


class PlainFlood:
    """Plain TCP connections from one address as fast as this process makes them, none speaking
    TLS; at most `hold` kept open at once (the oldest closed first), the rest left to the server."""

    def __init__(self, port: int, source: str, hold: int = 800):
        self.port, self.source, self.hold = port, source, hold
        self.made = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        held = []
        while not self._stop.is_set():
            s = socket.socket()
            try:
                s.bind((self.source, 0))
                s.connect(("127.0.0.1", self.port))
            except OSError:
                s.close()
                time.sleep(0.01)
                continue
            self.made += 1
            held.append(s)
            if len(held) > self.hold:
                held.pop(0).close()
        for s in held:
            s.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(10)


def test_a_flood_and_held_failed_logins_from_one_address_deny_no_other_address(start_postern, pki):
    postern = start_postern(overrides={"limits": {"authentication-timeout": "2s"}})
    held = []
    try:
        # 19 failed logins from the flooding address, kept open (authenticating).
        def fail_one():
            try:
                conn = ImapConnection(postern.port, pki.ca_cert, source=FLOODER)
                held.append(conn)
                conn.login("bob", WRONG_PASSWORD)
            except (OSError, ServerClosed):
                pass    # past its address's cap, the address's own oldest session is closed
        threads = [threading.Thread(target=fail_one) for _ in range(19)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        with PlainFlood(postern.port, FLOODER) as flood:
            time.sleep(0.5)
            results = []
            deadline = time.monotonic() + 6
            while time.monotonic() < deadline:
                try:
                    with ImapConnection(postern.port, pki.ca_cert, source=CLIENT, timeout=10) as conn:
                        results.append(conn.login("alice", MAIL_USERS["alice"]).ok)
                except (OSError, ServerClosed) as e:
                    results.append(f"{type(e).__name__}: {e}")
                time.sleep(0.2)
            made = flood.made
        assert made > 1000, f"the flood made only {made} connections"
        failed = [r for r in results if r is not True]
        assert not failed, f"{len(failed)} of {len(results)} logins from {CLIENT} failed beside the flood: {failed[:3]}"
    finally:
        for conn in held:
            conn.close()


def test_a_session_not_authenticated_in_time_is_closed_whatever_it_sends(start_postern, pki):
    postern = start_postern(overrides={"imap4s": {"preauth-max-time": "2s"}})
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        session = postern.session_of_client(conn.local_port)
        started = time.monotonic()
        with_bye = None
        try:
            while time.monotonic() - started < 6:
                reply = conn.command("NOOP")
                if reply.untagged and any(b"BYE" in line for line in reply.untagged):
                    with_bye = reply
                    break
                time.sleep(0.3)
        except ServerClosed:
            pass
        assert time.monotonic() - started < 5, "NOOPs kept an unauthenticated session open"
    timeout = postern.wait_for("timeout", session=session)
    assert timeout["limit"] == "preauth-max-time", timeout
    assert postern.wait_for("session-closed", session=session)["reason"] == "preauth-max-time"
