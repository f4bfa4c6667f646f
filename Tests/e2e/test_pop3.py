"""POP3S through postern to a real Dovecot (SPEC §4): curl and poplib list and retrieve a
delivered message with USER/PASS and AUTH PLAIN/LOGIN; a refused login gets -ERR and the
same connection may try again; the mail host's own refusal reaches the client; hostile
input is refused without harm to postern or to other sessions."""
import base64
import poplib

import pytest

from harness import curl
from harness.accounts import (MAIL_USERS, REFUSED_PASSWORD, REFUSED_REASON, REFUSED_USER, VPN_PASSWORD,
                              VPN_USER, WRONG_PASSWORD)
from harness.mailclients import answers
from harness.pop3client import Pop3Connection, plain_response, poplib_client, poplib_retrieve_all
from harness.rawsockets import closed_by_peer, connect
from harness.survival import witnessed
from harness.tlslines import ServerClosed

ALICE = MAIL_USERS["alice"]
BOB = MAIL_USERS["bob"]
MIB = 1 << 20
AUTH_FAILED = b"-ERR [AUTH] Authentication failed"


def first_message_from_dovecot(dovecot, user: str) -> bytes:
    """Message 1 as Dovecot's own POP3 gives it, for comparing byte for byte."""
    pop = poplib.POP3(dovecot.addresses[0], dovecot.ports.pop3, timeout=15)
    try:
        pop.user(user)
        pop.pass_(MAIL_USERS[user])
        _, lines, _ = pop.retr(1)
        return b"\r\n".join(lines) + b"\r\n"
    finally:
        pop.quit()


# -- real clients ----------------------------------------------------------------------

@pytest.mark.parametrize("options", [None, "AUTH=PLAIN", "AUTH=LOGIN"])
def test_curl_lists_and_retrieves_the_delivered_message(pop3_postern, dovecot, pki, options):
    port = pop3_postern.port_of("pop3s")
    listing = curl.pop3s(port, "", "alice", ALICE, pki.ca_cert, login_options=options)
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.splitlines()[0].split()[0] == "1", listing.stdout
    message = curl.pop3s(port, "1", "alice", ALICE, pki.ca_cert, login_options=options)
    assert message.returncode == 0, message.stderr
    assert dovecot.tokens["alice"] in message.stdout


def test_curl_with_a_wrong_password_is_denied(pop3_postern, pki):
    result = curl.pop3s(pop3_postern.port_of("pop3s"), "", "alice", WRONG_PASSWORD, pki.ca_cert)
    assert result.returncode == curl.LOGIN_DENIED, (result.returncode, result.stderr)


def test_poplib_user_pass_lists_and_retrieves_the_message_unchanged(pop3_postern, dovecot, pki):
    pop = poplib_client(pop3_postern.port_of("pop3s"), pki.ca_cert)
    try:
        assert pop.getwelcome().startswith(b"+OK")
        assert pop.user("carol").startswith(b"+OK")
        assert pop.pass_(MAIL_USERS["carol"]).startswith(b"+OK")
        messages = poplib_retrieve_all(pop)
        assert messages and dovecot.tokens["carol"].encode() in messages[0]
        assert messages[0] == first_message_from_dovecot(dovecot, "carol")
        assert pop.quit().startswith(b"+OK")
    finally:
        pop.close()


def test_poplib_auth_plain_lists_and_retrieves(pop3_postern, dovecot, pki):
    pop = poplib_client(pop3_postern.port_of("pop3s"), pki.ca_cert)
    try:
        assert pop._shortcmd("AUTH PLAIN " + plain_response("bob", BOB)).startswith(b"+OK")
        count, _ = pop.stat()
        assert count >= 1
        assert dovecot.tokens["bob"].encode() in poplib_retrieve_all(pop)[0]
        pop.quit()
    finally:
        pop.close()


def test_a_vpn_pair_logs_in_with_user_pass_and_auth_plain(pop3_postern, dovecot, pki):
    port = pop3_postern.port_of("pop3s")
    with Pop3Connection(port, pki.ca_cert) as conn:
        assert conn.user_pass(f"{VPN_USER}:alice", f"{VPN_PASSWORD}:{ALICE}").startswith(b"+OK")
        assert dovecot.tokens["alice"].encode() in conn.retrieve(1)
    with Pop3Connection(port, pki.ca_cert) as conn:
        assert conn.auth_plain(f"{VPN_USER}:alice", f"{VPN_PASSWORD}:{ALICE}").startswith(b"+OK")
    with Pop3Connection(port, pki.ca_cert) as conn:
        # The right mail password with a wrong VPN password stops at authd.
        assert conn.user_pass(f"{VPN_USER}:alice", f"{WRONG_PASSWORD}:{ALICE}").startswith(AUTH_FAILED)


# -- the dialogue before login ----------------------------------------------------------

def test_greeting_and_capa_before_login(pop3_postern, pki):
    with Pop3Connection(pop3_postern.port_of("pop3s"), pki.ca_cert) as conn:
        assert conn.greeting.startswith(b"+OK"), conn.greeting
        status, lines = conn.multiline("CAPA")
        assert status.startswith(b"+OK"), status
        capabilities = {line.split()[0].upper(): line.upper() for line in lines}
        assert b"USER" in capabilities, lines
        assert b"PLAIN" in capabilities.get(b"SASL", b"").split(), lines
        assert b"LOGIN" in capabilities.get(b"SASL", b"").split(), lines
        assert b"STLS" not in capabilities, "implicit TLS only: no STLS (SPEC §4)"
        assert conn.command("QUIT").startswith(b"+OK")
        assert conn.closed_by_server(5)


@pytest.mark.parametrize("command", ["STAT", "LIST", "RETR 1", "DELE 1", "TOP 1 0", "UIDL"])
def test_mailbox_commands_before_login_get_err(pop3_postern, pki, command):
    with Pop3Connection(pop3_postern.port_of("pop3s"), pki.ca_cert) as conn:
        assert conn.command(command).startswith(b"-ERR")
        assert conn.ok(conn.user_pass("bob", BOB)), "a login after the refused command failed"


def test_wrong_password_gets_err_and_the_same_connection_retries(pop3_postern, dovecot, pki):
    with Pop3Connection(pop3_postern.port_of("pop3s"), pki.ca_cert) as conn:
        assert conn.user_pass("alice", WRONG_PASSWORD).startswith(AUTH_FAILED)
        assert conn.auth_plain("alice", WRONG_PASSWORD).startswith(AUTH_FAILED)
        assert conn.user_pass("alice", ALICE).startswith(b"+OK")
        assert dovecot.tokens["alice"].encode() in conn.retrieve(1)
    session = pop3_postern.session_of_client(conn.local_port)
    assert len(pop3_postern.find("auth-result", session=session, result="failure")) == 2
    pop3_postern.wait_for("auth-result", session=session, result="success")


def test_auth_login_with_a_wrong_then_the_right_password(pop3_postern, pki):
    with Pop3Connection(pop3_postern.port_of("pop3s"), pki.ca_cert) as conn:
        assert conn.auth_login("carol", WRONG_PASSWORD).startswith(AUTH_FAILED)
        assert conn.auth_login("carol", MAIL_USERS["carol"]).startswith(b"+OK")
        assert conn.alive()


def test_the_mail_hosts_own_refusal_reaches_the_client(pop3_postern, dovecot, pki):
    """Dovecot refuses erin (passdb `nologin reason=...`) in its own words, after AAA
    accepted her: postern passes that -ERR line on, for USER/PASS and AUTH PLAIN alike."""
    expected = f"-ERR [AUTH] {REFUSED_REASON}\r\n".encode()
    offset = dovecot.log_offset()
    with Pop3Connection(pop3_postern.port_of("pop3s"), pki.ca_cert) as conn:
        assert conn.user_pass(REFUSED_USER, REFUSED_PASSWORD) == expected
        assert conn.auth_plain(REFUSED_USER, REFUSED_PASSWORD) == expected
        # And a later login on the same connection works.
        assert conn.user_pass("bob", BOB).startswith(b"+OK")
    assert dovecot.wait_for_log(f"user=<{REFUSED_USER}>", since=offset) is not None, "Dovecot never saw erin"
    # AAA accepted erin; the relay's log says why the mail host did not.
    session = pop3_postern.session_of_client(conn.local_port)
    refusals = pop3_postern.find("relay-failed", session=session, role="relay")
    assert len(refusals) == 2 and all(REFUSED_REASON in e.get("reason", "") for e in refusals), refusals


def test_a_login_pipelined_with_commands_reaches_the_mail_host_in_order(pop3_postern, pki):
    """What the client sends while its login is being checked is held, then goes to the mail
    host after the login, in order."""
    with Pop3Connection(pop3_postern.port_of("pop3s"), pki.ca_cert) as conn:
        conn.send(f"USER bob\r\nPASS {BOB}\r\nSTAT\r\nNOOP\r\n".encode())
        replies = [conn.line(10) for _ in range(4)]
        assert replies[0].startswith(b"+OK"), replies
        assert replies[1].startswith(b"+OK"), replies   # the mail host's login reply
        assert replies[2].startswith(b"+OK ") and replies[2].split()[1].isdigit(), replies   # STAT: +OK n size
        assert replies[3].startswith(b"+OK"), replies


# -- hostile input ---------------------------------------------------------------------

def test_a_one_mebibyte_line_is_refused_long_before_it_ends(pop3_postern, pki):
    with witnessed(pop3_postern, pki), witnessed(pop3_postern, pki, user="carol", protocol="pop3s"):
        probe = Pop3Connection(pop3_postern.port_of("pop3s"), pki.ca_cert)
        chunk = b"x" * 16384
        sent = 0
        assert probe.send_quietly(b"USER ")
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
        assert lines[0].startswith(b"-ERR"), lines
        assert answered_after <= 256 * 1024, f"the first reply came only after {answered_after} bytes of the line"
        assert closed or answers(probe), "after the overlong line the connection neither closed nor answers"
        if closed:
            ended = pop3_postern.wait_for("session-closed", session=pop3_postern.session_of_client(probe.local_port))
            assert ended["reason"] == "closed-by-dialogue", ended
        probe.close()


def test_invalid_base64_in_auth_gets_err_and_a_later_login_works(pop3_postern, pki):
    with witnessed(pop3_postern, pki, user="carol", protocol="pop3s"):
        probe = Pop3Connection(pop3_postern.port_of("pop3s"), pki.ca_cert)
        # As continuation responses...
        for mechanism, response in [("PLAIN", b"!!!!"), ("PLAIN", b"AAA"), ("LOGIN", b"*!*=")]:
            assert probe.command(f"AUTH {mechanism}").startswith(b"+"), mechanism
            probe.send(response + b"\r\n")
            reply = probe.line()
            assert reply.startswith(b"-ERR"), (mechanism, response, reply)
        # ...and as initial responses.
        valid = plain_response("bob", BOB).encode()
        for response in [b"!!!!", b"QQ=A", valid[:-1], base64.b64encode(b"no-nul-bytes-here")]:
            reply = probe.command("AUTH PLAIN " + response.decode())
            assert reply.startswith(b"-ERR"), (response, reply)
        assert probe.user_pass("bob", BOB).startswith(b"+OK")
        assert probe.alive()
        probe.close()


def test_nul_bytes_in_a_command_get_err(pop3_postern, pki):
    with witnessed(pop3_postern, pki):
        probe = Pop3Connection(pop3_postern.port_of("pop3s"), pki.ca_cert)
        for line in [b"CAPA\x00\r\n", b"USER b\x00ob\r\n", b"\x00USER bob\r\n"]:
            probe.send(line)
            reply = probe.line()
            assert reply.startswith(b"-ERR"), (line, reply)
        assert probe.user_pass("bob", BOB).startswith(b"+OK")
        probe.close()


def test_a_thousand_pipelined_capa_are_answered_in_order(pop3_postern, pki):
    with witnessed(pop3_postern, pki):
        probe = Pop3Connection(pop3_postern.port_of("pop3s"), pki.ca_cert)
        probe.send(b"CAPA\r\n" * 1000)
        answered = 0
        try:
            while answered < 1000:
                status = probe.line(10)
                assert status.startswith(b"+OK"), (answered, status)
                while probe.line(10) != b".\r\n":
                    pass
                answered += 1
        except (TimeoutError, ServerClosed):
            pass
        if answered < 1000:
            # Stopped early: then it must have closed the connection, after in-order answers.
            assert probe.closed_by_server(5), f"{answered} of 1000 CAPA answered, and still open"
        else:
            assert probe.ok(probe.multiline("CAPA")[0])
        probe.close()


def test_a_thousand_pipelined_invalid_commands_end_cleanly(pop3_postern, pki):
    with witnessed(pop3_postern, pki):
        probe = Pop3Connection(pop3_postern.port_of("pop3s"), pki.ca_cert)
        probe.send_quietly(b"FROB\r\n" * 1000)
        closed, lines = probe.replies_until_closed(10)
        assert all(line.startswith(b"-ERR") for line in lines), lines[:3]
        if closed:
            assert len(lines) < 1000, "closed only after answering every invalid command"
            ended = pop3_postern.wait_for("session-closed", session=pop3_postern.session_of_client(probe.local_port))
            assert ended["reason"] == "closed-by-dialogue", ended
        else:
            assert len(lines) == 1000, f"neither all answered nor closed: {len(lines)} replies"
        probe.close()


@pytest.mark.parametrize("garbage", [b"USER bob\r\n", b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"],
                         ids=["pop3-in-plaintext", "http"])
def test_plaintext_on_the_pop3s_port_fails_tls(pop3_postern, pki, garbage):
    with witnessed(pop3_postern, pki, protocol="pop3s"):
        sock = connect(pop3_postern.port_of("pop3s"))
        try:
            sock.sendall(garbage)
            assert closed_by_peer(sock, 5), "plaintext on the POP3S port left the connection open"
            session = pop3_postern.session_of_client(sock.getsockname()[1])
        finally:
            sock.close()
        failed = pop3_postern.wait_for("tls-failed", session=session)
        assert failed.get("error"), failed
        ended = pop3_postern.wait_for("session-closed", session=session)
        assert ended["reason"] == "tls-failed", ended


def test_too_many_failed_logins_close_the_connection(pop3_postern, pki):
    with Pop3Connection(pop3_postern.port_of("pop3s"), pki.ca_cert) as conn:
        replies = [conn.user_pass("dave", WRONG_PASSWORD) for _ in range(3)]
        assert all(r.startswith(AUTH_FAILED) for r in replies), replies
        assert conn.closed_by_server(10), "still open after max-failed-attempts (3) refused logins"
