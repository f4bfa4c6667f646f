"""Hostile and broken clients on the IMAP4S port (SPEC §4): overlong lines and literals, bad
base64, NUL bytes, floods of commands or connections, plaintext and stalled handshakes.
Each is refused with the protocol's error or a close, within the configured time limits;
no role dies or is replaced, and a session logged in before the attack goes on working."""
import base64
import time

import pytest

from harness.accounts import MAIL_USERS, WRONG_PASSWORD
from harness.imapclient import ImapConnection
from harness.probeclient import ProbeConnection
from harness.rawsockets import client_hello, closed_by_peer, connect, still_open
from harness.survival import witnessed

MIB = 1 << 20
BOB = MAIL_USERS["bob"]


def b64(data: bytes) -> bytes:
    return base64.b64encode(data)


def assert_logs_in(probe: ProbeConnection, tag: str = "z1", user: str = "bob") -> None:
    """A correct LOGIN on `probe` succeeds and the mail host's INBOX opens."""
    probe.send(f'{tag} LOGIN "{user}" "{MAIL_USERS[user]}"\r\n'.encode())
    reply = probe.line()
    assert reply.startswith(f"{tag} OK".encode()), reply
    probe.send(f"{tag}s SELECT INBOX\r\n".encode())
    while not (reply := probe.line()).startswith(f"{tag}s ".encode()):
        pass
    assert reply.startswith(f"{tag}s OK".encode()), reply


def test_a_one_mebibyte_line_is_refused_long_before_it_ends(postern, pki):
    with witnessed(postern, pki):
        probe = ProbeConnection(postern.port, pki.ca_cert)
        chunk = b"x" * 16384
        sent = 0
        assert probe.send_quietly(b"a LOGIN ")
        # Send the line piece by piece and look for an answer after each: a server that
        # buffered the whole line would say nothing until its end.
        while sent < MIB and b"\r\n" not in probe.buffer:
            if not probe.send_quietly(chunk):
                break
            sent += len(chunk)
            if probe.closed_by_server(0.05):
                break
        answered_after = sent
        probe.send_quietly(chunk * ((MIB - sent) // len(chunk)) + b"\r\n")
        closed, lines = probe.replies_until_closed(5)
        assert lines, f"no reply to a {MIB}-byte line (closed={closed})"
        assert lines[0].startswith((b"* BAD", b"* BYE")), lines
        assert answered_after <= 256 * 1024, f"the first reply came only after {answered_after} bytes of the line"
        assert not any(line.startswith(b"+") for line in lines), lines
        assert closed or probe.alive(), "after the overlong line the connection neither closed nor answers"
        if closed:
            ended = postern.wait_for("session-closed", session=postern.session_of_client(probe.local_port))
            assert ended["reason"] == "closed-by-dialogue", ended
        probe.close()


def test_an_unterminated_literal_ends_at_the_preauth_idle_timeout(start_postern, pki):
    postern = start_postern(overrides={"limits": {"preauth-idle-timeout": "2s"}})
    with witnessed(postern, pki):
        probe = ProbeConnection(postern.port, pki.ca_cert)
        probe.send(b"a LOGIN {5}\r\n")
        assert probe.line().startswith(b"+ "), "no continuation for a 5-byte literal"
        probe.send(b"al")
        started = time.monotonic()
        assert not probe.closed_by_server(1.2), "closed well before the pre-auth idle timeout"
        assert probe.closed_by_server(6), "an unterminated literal kept the connection open"
        elapsed = time.monotonic() - started
        assert 1.5 <= elapsed <= 7, elapsed
        session = postern.session_of_client(probe.local_port)
        ended = postern.wait_for("session-closed", session=session)
        assert ended["reason"] == "preauth-idle-timeout", ended
        assert postern.find("timeout", session=session, limit="preauth-idle-timeout")
        probe.close()


@pytest.mark.parametrize("size", ["4294967296", "18446744073709551616", "9" * 40])
def test_a_huge_synchronising_literal_gets_bad_and_no_continuation(postern, pki, size):
    with witnessed(postern, pki):
        probe = ProbeConnection(postern.port, pki.ca_cert)
        probe.send(f"a LOGIN {{{size}}}\r\n".encode())
        reply = probe.line()
        assert reply.startswith(b"a BAD"), reply
        # As the password, too; the connection stays usable after each refusal.
        probe.send(f"b LOGIN bob {{{size}}}\r\n".encode())
        reply = probe.line()
        assert reply.startswith(b"b BAD"), reply
        probe.send(b"c NOOP\r\n")
        assert probe.line().startswith(b"c OK")
        assert_logs_in(probe)
        probe.close()


def test_a_huge_non_synchronising_literal_gets_bye_and_a_close(postern, pki):
    with witnessed(postern, pki):
        probe = ProbeConnection(postern.port, pki.ca_cert)
        # LITERAL+: the data would follow at once, so the server cannot skip it.
        probe.send_quietly(b"a LOGIN {4294967296+}\r\n" + b"y" * 4096)
        closed, lines = probe.replies_until_closed(5)
        assert closed, f"still open after a 4 GiB LITERAL+ announcement: {lines}"
        assert lines and lines[0].startswith((b"* BYE", b"* BAD", b"a BAD")), lines
        assert not any(line.startswith(b"+") for line in lines), lines
        probe.close()


def test_invalid_base64_in_authenticate_is_bad_and_a_later_login_works(postern, pki):
    with witnessed(postern, pki):
        probe = ProbeConnection(postern.port, pki.ca_cert)
        # Continuation responses that are not strict base64.
        for tag, mechanism, response in [("a1", "PLAIN", b"!!!!"), ("a2", "PLAIN", b"AAA"),
                                         ("a3", "PLAIN", b"AG\x00A"), ("a4", "LOGIN", b"*!*=")]:
            probe.send(f"{tag} AUTHENTICATE {mechanism}\r\n".encode())
            assert probe.line().startswith(b"+"), f"{mechanism}: no continuation"
            probe.send(response + b"\r\n")
            reply = probe.line()
            assert reply.startswith(f"{tag} BAD".encode()), (response, reply)
        # SASL-IR with bad base64.
        for tag, response in [("b1", b"!!!!"), ("b2", b"QQ=A"), ("b3", b64(b"\0bob\0" + BOB.encode())[:-1])]:
            probe.send(f"{tag} AUTHENTICATE PLAIN ".encode() + response + b"\r\n")
            reply = probe.line()
            assert reply.startswith(f"{tag} BAD".encode()), (response, reply)
        assert_logs_in(probe)
        probe.close()


def test_nul_bytes_in_a_command_are_bad(postern, pki):
    with witnessed(postern, pki):
        probe = ProbeConnection(postern.port, pki.ca_cert)
        for tag, line in [("n1", b"n1 NOOP\x00\r\n"), ("n2", b"n2 LOGIN bob\x00 x\r\n"),
                          ("n3", b'n3 LOGIN "b\x00ob" "x"\r\n'), ("*", b"\x00n4 NOOP\r\n")]:
            probe.send(line)
            reply = probe.line()
            assert reply.startswith(f"{tag} BAD".encode()), (line, reply)
        # Inside a literal.
        probe.send(b"n5 LOGIN {3}\r\n")
        assert probe.line().startswith(b"+")
        probe.send(b"b\x00b {1}\r\n")
        assert probe.line().startswith(b"+")
        probe.send(b"x\r\n")
        reply = probe.line()
        assert reply.startswith(b"n5 BAD"), reply
        assert_logs_in(probe)
        probe.close()


def test_a_thousand_pipelined_noops_are_answered_in_order(postern, pki):
    with witnessed(postern, pki):
        probe = ProbeConnection(postern.port, pki.ca_cert)
        probe.send(b"".join(b"a%d NOOP\r\n" % i for i in range(1000)))
        lines = probe.lines(1000, timeout=10)
        tagged = [line for line in lines if not line.startswith(b"* ")]
        if len(tagged) == 1000:
            for i, line in enumerate(tagged):
                assert line.startswith(b"a%d OK" % i), (i, line)
            assert probe.alive()
        else:
            # Stopped early: it must have said so and closed, after in-order answers.
            for i, line in enumerate(tagged):
                assert line.startswith(b"a%d " % i), (i, line)
            assert lines and lines[-1].startswith(b"* BYE"), lines[-3:]
            assert probe.closed_by_server(5)
        probe.close()


def test_a_thousand_pipelined_invalid_commands_end_cleanly(postern, pki):
    with witnessed(postern, pki):
        probe = ProbeConnection(postern.port, pki.ca_cert)
        probe.send_quietly(b"".join(b"x%d FROB\r\n" % i for i in range(1000)))
        closed, lines = probe.replies_until_closed(10)
        tagged = [line for line in lines if not line.startswith(b"* ")]
        for i, line in enumerate(tagged):
            assert line.startswith(b"x%d BAD" % i), (i, line)
        if closed:
            assert lines[-1].startswith(b"* BYE"), lines[-3:]
            assert [line for line in lines if line.startswith(b"* ")] == [lines[-1]], lines
            ended = postern.wait_for("session-closed", session=postern.session_of_client(probe.local_port))
            assert ended["reason"] == "closed-by-dialogue", ended
        else:
            assert len(tagged) == 1000, f"neither all answered nor closed: {len(tagged)} replies"
        probe.close()


@pytest.mark.parametrize("garbage", [b"a LOGIN x y\r\n", b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"],
                         ids=["imap-in-plaintext", "http"])
def test_plaintext_on_the_tls_port_fails_tls(postern, pki, garbage):
    with witnessed(postern, pki):
        sock = connect(postern.port)
        try:
            sock.sendall(garbage)
            assert closed_by_peer(sock, 5), "plaintext on the TLS port left the connection open"
            session = postern.session_of_client(sock.getsockname()[1])
        finally:
            sock.close()
        failed = postern.wait_for("tls-failed", session=session)
        assert failed.get("error"), failed
        ended = postern.wait_for("session-closed", session=session)
        assert ended["reason"] == "tls-failed", ended


def test_a_stalled_handshake_ends_at_the_handshake_timeout(start_postern, pki):
    postern = start_postern(overrides={"limits": {"handshake-timeout": "2s"}})
    hello = client_hello()
    with witnessed(postern, pki):
        partial, silent = connect(postern.port), connect(postern.port)
        try:
            # The first 10 bytes of a ClientHello; and a whole one whose client then goes quiet.
            partial.sendall(hello[:10])
            silent.sendall(hello)
            started = time.monotonic()
            assert not closed_by_peer(partial, 1.2), "closed well before the handshake timeout"
            for sock in (partial, silent):
                assert closed_by_peer(sock, 6), "a stalled handshake kept the connection open"
            assert 1.5 <= time.monotonic() - started <= 7
            sessions = [postern.session_of_client(s.getsockname()[1]) for s in (partial, silent)]
        finally:
            partial.close()
            silent.close()
        for session in sessions:
            failed = postern.wait_for("tls-failed", session=session)
            assert "timed out" in failed.get("error", ""), failed
            assert postern.wait_for("session-closed", session=session)["reason"] == "tls-failed"


def test_two_hundred_silent_connections_stay_within_outstanding(start_postern, pki):
    # Long timers: every connection the server closes here, it closes for the outstanding limit.
    postern = start_postern(overrides={"imap4s": {"outstanding": 20, "outstanding-per-address": 0},
                                       "limits": {"handshake-timeout": "60s", "preauth-idle-timeout": "60s"}})
    with witnessed(postern, pki):
        accepted_before = len(postern.find("connection-accepted"))
        socks = []
        try:
            for _ in range(200):
                socks.append(connect(postern.port))
            deadline = time.monotonic() + 15
            while len(postern.find("connection-accepted")) < accepted_before + 200 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(postern.find("connection-accepted")) >= accepted_before + 200
            while len(still_open(socks)) > 20 and time.monotonic() < deadline:
                time.sleep(0.05)
            open_now = still_open(socks)
            assert len(open_now) == 20, f"{len(open_now)} silent connections open, outstanding = 20"
            assert all(s not in open_now for s in socks[:150]), "an old idle connection outlived newer ones"
            evicted = postern.find("outstanding-evicted")
            assert len(evicted) >= 180 and all(e.get("limit") == "20" for e in evicted), evicted[:3]

            # Still responsive: a new client gets its turn (the oldest idle one makes room).
            started = time.monotonic()
            newcomer = ImapConnection(postern.port, pki.ca_cert)
            assert newcomer.login("bob", BOB).ok, "a new client could not log in during the flood"
            assert newcomer.command("SELECT INBOX").ok
            assert time.monotonic() - started < 5
            newcomer.logout()
            assert len(still_open(socks)) <= 20
        finally:
            for sock in socks:
                sock.close()


def test_failed_logins_are_answered_ever_later_per_address_and_user(postern, pki):
    """In the spirit of Dovecot's auth penalty: each failed login from one address makes the
    next one from there wait longer; another user from another address does not wait."""
    latencies = []
    for _ in range(5):
        probe = ProbeConnection(postern.port, pki.ca_cert)
        try:
            started = time.monotonic()
            probe.send(f'p LOGIN "carol" "{WRONG_PASSWORD}"\r\n'.encode())
            reply = probe.line(timeout=30)
            latencies.append(time.monotonic() - started)
            assert reply.startswith(b"p NO"), reply
        finally:
            probe.close()
    assert latencies[4] > latencies[0] + 0.5, f"no growing delay: {latencies}"

    other = ProbeConnection(postern.port, pki.ca_cert, source="127.0.0.2")
    try:
        started = time.monotonic()
        other.send(f'q LOGIN "bob" "{BOB}"\r\n'.encode())
        reply = other.line(timeout=30)
        latency = time.monotonic() - started
        assert reply.startswith(b"q OK"), reply
        assert latency < latencies[4], f"bob from 127.0.0.2 waited {latency:.2f}s; carol's 5th {latencies[4]:.2f}s"
    finally:
        other.close()
    connected = postern.find("connection-accepted", client="127.0.0.2")
    assert connected, "the last client did not come from 127.0.0.2"
