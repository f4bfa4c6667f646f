"""SMTPS through postern to a real Postfix (SPEC §3-4, TESTBED §2a): curl, smtplib and swaks
send with AUTH PLAIN and LOGIN; Postfix delivers to Dovecot, where IMAP finds the body byte
for byte. With "mailhost" postern logs in to Postfix as the mail user; without it, Postfix
trusts the proxy and no login happens upstream. No mail before AUTH; hostile input is
refused without harm to postern or to other sessions."""
import base64

import pytest

from harness import curl
from harness.accounts import MAIL_USERS, VPN_PASSWORD, VPN_USER, WRONG_PASSWORD
from harness.mailclients import answers
from harness.mailproxies import SMTP_ADVERTISED, smtps
from harness.messages import awkward_body, body_of, body_token, make_message, message_id
from harness.rawsockets import closed_by_peer, connect
from harness.smtpclient import SmtpConnection, b64, smtplib_client, swaks
from harness.survival import witnessed

ALICE = MAIL_USERS["alice"]
SENDER = "alice@example.org"
RECIPIENT = "bob@example.org"
MIB = 1 << 20


def new_message(subject: str = "postern smtp e2e") -> tuple:
    """(message, token): a message to bob whose body is awkward_body(token)."""
    token = body_token("bob")
    return make_message(RECIPIENT, subject, awkward_body(token)), token


def assert_delivered_unchanged(dovecot, message: bytes, token: str) -> bytes:
    """Waits for the message in bob's INBOX (IMAP straight to Dovecot) and compares the body."""
    stored = dovecot.wait_for_message("bob", token.encode())
    assert body_of(stored) == body_of(message), "the body changed on the way"
    return stored


def assert_logged_in_upstream_as(postfix, message: bytes, user: str) -> None:
    line = postfix.client_of_message(message_id(message))
    assert line is not None and f"sasl_username={user}" in line, line


# -- real clients ----------------------------------------------------------------------

@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_curl_sends_and_the_body_arrives_unchanged(smtp_postern, postfix, dovecot, pki, tmp_path, mechanism):
    message, token = new_message(f"curl {mechanism}")
    path = tmp_path / "message.eml"
    path.write_bytes(message)
    result = curl.smtps(smtp_postern.port_of("smtps"), "alice", ALICE, pki.ca_cert, SENDER, RECIPIENT, path,
                        login_options=f"AUTH={mechanism}")
    assert result.returncode == 0, result.stderr
    assert_delivered_unchanged(dovecot, message, token)
    assert_logged_in_upstream_as(postfix, message, "alice")


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_smtplib_sends_and_the_body_arrives_unchanged(smtp_postern, postfix, dovecot, pki, mechanism):
    message, token = new_message(f"smtplib {mechanism}")
    with smtplib_client(smtp_postern.port_of("smtps"), pki.ca_cert) as smtp:
        code, _ = smtp.ehlo()
        assert code == 250
        smtp.user, smtp.password = "alice", ALICE
        code, text = smtp.auth(mechanism, getattr(smtp, f"auth_{mechanism.lower()}"))
        assert code == 235, text
        assert smtp.sendmail(SENDER, [RECIPIENT], message) == {}
    assert_delivered_unchanged(dovecot, message, token)
    assert_logged_in_upstream_as(postfix, message, "alice")


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_swaks_sends_and_the_body_arrives_unchanged(smtp_postern, postfix, dovecot, pki, tmp_path, mechanism):
    message, token = new_message(f"swaks {mechanism}")
    result = swaks(smtp_postern.port_of("smtps"), pki.ca_cert, SENDER, RECIPIENT, message, tmp_path,
                   auth=mechanism, user="alice", password=ALICE)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "235 " in result.stdout, result.stdout[-2000:]
    assert_delivered_unchanged(dovecot, message, token)
    assert_logged_in_upstream_as(postfix, message, "alice")


def test_a_vpn_pair_logs_in_upstream_as_the_mail_user(smtp_postern, postfix, dovecot, pki):
    message, token = new_message("vpn pair")
    with SmtpConnection(smtp_postern.port_of("smtps"), pki.ca_cert) as conn:
        assert conn.ehlo().code == 250
        assert conn.auth_plain(f"{VPN_USER}:alice", f"{VPN_PASSWORD}:{ALICE}").code == 235
        assert conn.send_mail(SENDER, RECIPIENT, message).code == 250
        conn.quit()
    assert_delivered_unchanged(dovecot, message, token)
    assert_logged_in_upstream_as(postfix, message, "alice")


# -- the dialogue before AUTH -----------------------------------------------------------

def test_ehlo_offers_auth_and_the_advertised_extensions(smtp_postern, pki):
    with SmtpConnection(smtp_postern.port_of("smtps"), pki.ca_cert) as conn:
        assert conn.greeting.code == 220, conn.greeting
        ehlo = conn.ehlo()
        assert ehlo.code == 250, ehlo
        keywords = [line.upper() for line in ehlo.lines[1:]]
        assert "AUTH PLAIN LOGIN" in keywords, ehlo
        for keyword in SMTP_ADVERTISED:
            assert keyword in keywords, (keyword, ehlo)
        assert "STARTTLS" not in keywords, "implicit TLS only: no STARTTLS (SPEC §4)"
        assert conn.command("NOOP").code == 250
        assert conn.command("RSET").code == 250
        assert conn.command("QUIT").code == 221
        assert conn.closed_by_server(5)


def test_mail_before_auth_gets_530_and_mail_after_auth_works(smtp_postern, dovecot, pki):
    message, token = new_message("after 530")
    with SmtpConnection(smtp_postern.port_of("smtps"), pki.ca_cert) as conn:
        assert conn.ehlo().code == 250
        for command in (f"MAIL FROM:<{SENDER}>", f"RCPT TO:<{RECIPIENT}>", "DATA"):
            reply = conn.command(command)
            assert reply.code == 530 and reply.lines[0].startswith("5.7.0"), (command, str(reply))
        assert conn.auth_plain("alice", ALICE).code == 235
        assert conn.send_mail(SENDER, RECIPIENT, message).code == 250
    assert_delivered_unchanged(dovecot, message, token)


def test_curl_without_auth_cannot_send(smtp_postern, pki, tmp_path):
    message, _ = new_message("no auth")
    path = tmp_path / "message.eml"
    path.write_bytes(message)
    result = curl.smtps(smtp_postern.port_of("smtps"), None, None, pki.ca_cert, SENDER, RECIPIENT, path)
    assert result.returncode != 0 and "530" in result.stderr, (result.returncode, result.stderr)


def test_wrong_password_gets_535_and_a_retry_works(smtp_postern, dovecot, pki):
    message, token = new_message("after 535")
    with SmtpConnection(smtp_postern.port_of("smtps"), pki.ca_cert) as conn:
        assert conn.ehlo().code == 250
        refused = conn.auth_plain("alice", WRONG_PASSWORD)
        assert refused.code == 535 and refused.lines[0].startswith("5.7.8"), str(refused)
        refused = conn.auth_login("alice", WRONG_PASSWORD)
        assert refused.code == 535, str(refused)
        assert conn.auth_login("alice", ALICE).code == 235
        assert conn.send_mail(SENDER, RECIPIENT, message).code == 250
    assert_delivered_unchanged(dovecot, message, token)
    session = smtp_postern.session_of_client(conn.local_port)
    assert len(smtp_postern.find("auth-result", session=session, result="failure")) == 2
    smtp_postern.wait_for("auth-result", session=session, result="success")


# -- without "mailhost": the mail host trusts the proxy ---------------------------------

def test_aaa_alone_relays_through_a_host_that_trusts_the_proxy(start_postern, postfix, dovecot, pki):
    """vpnuser has no mail account at all: AAA lets them in, and Postfix's mynetworks port
    takes the mail from the proxy without a login."""
    postern = start_postern(overrides=smtps(postfix, mailhost=False))
    message, token = new_message("aaa alone")
    with SmtpConnection(postern.port_of("smtps"), pki.ca_cert) as conn:
        ehlo = conn.ehlo()
        assert "AUTH PLAIN LOGIN" in [line.upper() for line in ehlo.lines[1:]], ehlo
        assert conn.command(f"MAIL FROM:<{SENDER}>").code == 530
        assert conn.auth_plain(VPN_USER, WRONG_PASSWORD).code == 535
        reply = conn.auth_plain(VPN_USER, VPN_PASSWORD)
        assert reply.code == 235, str(reply)
        assert conn.send_mail(SENDER, RECIPIENT, message).code == 250
        conn.quit()
    assert_delivered_unchanged(dovecot, message, token)
    line = postfix.client_of_message(message_id(message))
    assert line is not None and "sasl_" not in line, f"the proxy logged in upstream: {line}"


def test_aaa_alone_refuses_a_wrong_vpn_password_before_the_mail_host(start_postern, postfix, pki):
    postern = start_postern(overrides=smtps(postfix, mailhost=False))
    with SmtpConnection(postern.port_of("smtps"), pki.ca_cert) as conn:
        assert conn.ehlo().code == 250
        offset = postfix.log_offset()
        assert conn.auth_login(VPN_USER, WRONG_PASSWORD).code == 535
        assert conn.command(f"MAIL FROM:<{SENDER}>").code == 530
    assert postfix.wait_for_log("]: connect from", since=offset, timeout=1) is None, \
        "a refused client reached the mail host"


# -- hostile input ---------------------------------------------------------------------

def test_a_one_mebibyte_line_is_refused_long_before_it_ends(smtp_postern, pki):
    with witnessed(smtp_postern, pki), witnessed(smtp_postern, pki, user="carol", protocol="smtps"):
        probe = SmtpConnection(smtp_postern.port_of("smtps"), pki.ca_cert)
        chunk = b"x" * 16384
        sent = 0
        assert probe.send_quietly(b"EHLO ")
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
        assert lines[0][:1] in (b"4", b"5"), lines
        assert answered_after <= 256 * 1024, f"the first reply came only after {answered_after} bytes of the line"
        assert closed or answers(probe), "after the overlong line the connection neither closed nor answers"
        if closed:
            ended = smtp_postern.wait_for("session-closed", session=smtp_postern.session_of_client(probe.local_port))
            assert ended["reason"] == "closed-by-dialogue", ended
        probe.close()


def test_invalid_base64_in_auth_gets_501_and_a_later_auth_works(smtp_postern, pki):
    with witnessed(smtp_postern, pki, user="carol", protocol="smtps"):
        probe = SmtpConnection(smtp_postern.port_of("smtps"), pki.ca_cert)
        assert probe.ehlo().code == 250
        # As continuation responses...
        for mechanism, response in [("PLAIN", b"!!!!"), ("PLAIN", b"AAA"), ("LOGIN", b"*!*=")]:
            assert probe.command(f"AUTH {mechanism}").code == 334, mechanism
            probe.send(response + b"\r\n")
            reply = probe.reply()
            assert reply.code == 501, (mechanism, response, str(reply))
        # ...and as initial responses.
        valid = b64(f"\0bob\0{MAIL_USERS['bob']}").encode()
        for response in [b"!!!!", b"QQ=A", valid[:-1], base64.b64encode(b"no-nul-bytes-here")]:
            reply = probe.command("AUTH PLAIN " + response.decode())
            assert reply.code == 501, (response, str(reply))
        assert probe.auth_plain("bob", MAIL_USERS["bob"]).code == 235
        assert probe.alive()
        probe.close()


def test_nul_bytes_and_starttls_are_refused(smtp_postern, pki):
    with witnessed(smtp_postern, pki):
        probe = SmtpConnection(smtp_postern.port_of("smtps"), pki.ca_cert)
        for line in [b"EHLO a\x00b\r\n", b"NOOP\x00\r\n", b"\x00EHLO x\r\n"]:
            probe.send(line)
            reply = probe.reply()
            assert reply.code == 500, (line, str(reply))
        # Implicit TLS only: STARTTLS inside TLS is refused, and the session goes on.
        assert probe.command("STARTTLS").code == 503
        assert probe.ehlo().code == 250
        assert probe.auth_plain("bob", MAIL_USERS["bob"]).code == 235
        probe.close()


def test_a_thousand_pipelined_noops_are_answered_in_order(smtp_postern, pki):
    with witnessed(smtp_postern, pki):
        probe = SmtpConnection(smtp_postern.port_of("smtps"), pki.ca_cert)
        probe.send(b"NOOP\r\n" * 1000)
        lines = probe.lines(1000, timeout=10)
        if len(lines) == 1000:
            assert all(line.startswith(b"250 ") for line in lines), [l for l in lines if not l.startswith(b"250 ")][:3]
            assert probe.alive()
        else:
            # Stopped early: it must have said so (421) and closed, after in-order answers.
            assert all(line.startswith(b"250 ") for line in lines[:-1]), lines[-3:]
            assert lines and lines[-1].startswith(b"421"), lines[-3:]
            assert probe.closed_by_server(5)
        probe.close()


def test_a_thousand_pipelined_invalid_commands_end_cleanly(smtp_postern, pki):
    with witnessed(smtp_postern, pki):
        probe = SmtpConnection(smtp_postern.port_of("smtps"), pki.ca_cert)
        probe.send_quietly(b"FROB\r\n" * 1000)
        closed, lines = probe.replies_until_closed(10)
        if closed:
            assert lines and lines[-1].startswith(b"421"), lines[-3:]
            assert all(line.startswith(b"500") for line in lines[:-1]), lines[:3]
            assert len(lines) < 1000, "closed only after answering every invalid command"
            ended = smtp_postern.wait_for("session-closed", session=smtp_postern.session_of_client(probe.local_port))
            assert ended["reason"] == "closed-by-dialogue", ended
        else:
            assert len(lines) == 1000 and all(line.startswith(b"500") for line in lines), len(lines)
        probe.close()


@pytest.mark.parametrize("garbage", [b"EHLO client.example.org\r\n", b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"],
                         ids=["smtp-in-plaintext", "http"])
def test_plaintext_on_the_smtps_port_fails_tls(smtp_postern, pki, garbage):
    with witnessed(smtp_postern, pki, protocol="smtps"):
        sock = connect(smtp_postern.port_of("smtps"))
        try:
            sock.sendall(garbage)
            assert closed_by_peer(sock, 5), "plaintext on the SMTPS port left the connection open"
            session = smtp_postern.session_of_client(sock.getsockname()[1])
        finally:
            sock.close()
        failed = smtp_postern.wait_for("tls-failed", session=session)
        assert failed.get("error"), failed
        ended = smtp_postern.wait_for("session-closed", session=session)
        assert ended["reason"] == "tls-failed", ended
