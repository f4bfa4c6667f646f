"""Fair pre-auth limits (SPEC §4): one address cannot fill `outstanding` and so deny other
addresses' logins (`outstanding-per-address`), and no session stays unauthenticated past
`preauth-max-time`, whatever it sends."""
import time

from harness.accounts import MAIL_USERS
from harness.flood import PlainFlood, held_failed_logins
from harness.imapclient import ImapConnection
from harness.tlslines import ServerClosed

FLOODER = "127.0.0.2"
CLIENT = "127.0.0.3"


def test_a_flood_and_held_failed_logins_from_one_address_deny_no_other_address(start_postern, pki):
    postern = start_postern(overrides={"limits": {"authentication-timeout": "2s"}})
    # 19 failed logins from the flooding address, kept open (authenticating).
    held = held_failed_logins(postern.port, pki.ca_cert, FLOODER, 19)
    try:
        with PlainFlood(postern.port, [FLOODER]) as flood:
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


def test_a_connection_that_does_not_finish_tls_in_time_is_gone(start_postern):
    """Silent, or stopped halfway through a ClientHello: closed at `handshake-timeout`."""
    import socket
    postern = start_postern(overrides={"limits": {"handshake-timeout": "1s"}})
    for opening in (b"", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"):
        with socket.create_connection(("127.0.0.1", postern.port), timeout=10) as s:
            s.sendall(opening)
            started = time.monotonic()
            try:
                closed = s.recv(1024) == b""
            except ConnectionResetError:
                closed = True
            assert closed, "the server sent something instead of closing"
            assert time.monotonic() - started < 4, "the handshake timeout did not close the connection"
    timed_out = [e for e in postern.find("tls-failed") if "timed out" in e.get("error", "")]
    assert len(timed_out) >= 2, postern.find("tls-failed")
