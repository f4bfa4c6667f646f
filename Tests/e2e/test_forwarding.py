"""forward-client-address (SPEC §2): with it on, the mail host learns the client's own address
(IMAP ID x-originating-ip, POP3 and SMTP XCLIENT) and logs it; with it off, it sees only
the proxy. The client connects from 127.0.0.2; postern's relay reaches the mail hosts from
127.0.0.1. Dovecot and Postfix trust 127.0.0.0/8 to say who the client is."""
import pytest

from harness.accounts import MAIL_USERS
from harness.imapclient import ImapConnection
from harness.mailproxies import pop3s, smtps
from harness.messages import body_token, make_message, message_id
from harness.pop3client import Pop3Connection
from harness.smtpclient import SmtpConnection

CLIENT_ADDRESS = "127.0.0.2"
PROXY_ADDRESS = "127.0.0.1"
BOB = MAIL_USERS["bob"]


def seen_as(forward: bool) -> str:
    return CLIENT_ADDRESS if forward else PROXY_ADDRESS


def assert_from_client_address(postern, conn, protocol: str) -> None:
    session = postern.session_of_client(conn.local_port)
    accepted = postern.find("connection-accepted", session=session)
    assert accepted and accepted[0].get("client") == CLIENT_ADDRESS, accepted
    assert accepted[0].get("protocol") == protocol, accepted


@pytest.mark.parametrize("forward", [True, False], ids=["forwarded", "not-forwarded"])
def test_imap_client_address_in_the_mail_hosts_log(start_postern, trusting_dovecot, pki, forward):
    postern = start_postern(server=f"127.0.0.1:{trusting_dovecot.ports.imap}", allowed_servers=[],
                            overrides={"imap4s": {"forward-client-address": forward}})
    offset = trusting_dovecot.log_offset()
    with ImapConnection(postern.port, pki.ca_cert, source=CLIENT_ADDRESS) as conn:
        assert conn.login("bob", BOB).ok
        assert conn.command("SELECT INBOX").ok
        conn.logout()
    assert_from_client_address(postern, conn, "imap4s")
    line = trusting_dovecot.wait_for_log("imap-login: Info: Login: user=<bob>", since=offset)
    assert line is not None, trusting_dovecot.log_text()[offset:]
    assert f"rip={seen_as(forward)}," in line, line


@pytest.mark.parametrize("forward", [True, False], ids=["forwarded", "not-forwarded"])
def test_pop3_client_address_in_the_mail_hosts_log(start_postern, trusting_dovecot, pki, forward):
    postern = start_postern(overrides=pop3s(trusting_dovecot, forward_client_address=forward))
    offset = trusting_dovecot.log_offset()
    with Pop3Connection(postern.port_of("pop3s"), pki.ca_cert, source=CLIENT_ADDRESS) as conn:
        assert conn.user_pass("bob", BOB).startswith(b"+OK")
        assert conn.command("STAT").startswith(b"+OK")
        conn.quit()
    assert_from_client_address(postern, conn, "pop3s")
    line = trusting_dovecot.wait_for_log("pop3-login: Info: Login: user=<bob>", since=offset)
    assert line is not None, trusting_dovecot.log_text()[offset:]
    assert f"rip={seen_as(forward)}," in line, line


@pytest.mark.parametrize("mailhost", [True, False], ids=["mailhost", "trusted-proxy"])
@pytest.mark.parametrize("forward", [True, False], ids=["forwarded", "not-forwarded"])
def test_smtp_client_address_in_the_mail_hosts_log(start_postern, postfix, dovecot, pki, forward, mailhost):
    postern = start_postern(overrides=smtps(postfix, mailhost=mailhost, forward_client_address=forward))
    token = body_token("bob")
    message = make_message("bob@example.org", "forwarding", f"{token}\n")
    with SmtpConnection(postern.port_of("smtps"), pki.ca_cert, source=CLIENT_ADDRESS) as conn:
        assert conn.ehlo().code == 250
        assert conn.auth_plain("alice", MAIL_USERS["alice"]).code == 235
        reply = conn.send_mail("alice@example.org", "bob@example.org", message)
        assert reply.code == 250, str(reply)
        conn.quit()
    assert_from_client_address(postern, conn, "smtps")
    line = postfix.client_of_message(message_id(message))
    assert line is not None and f"[{seen_as(forward)}]" in line, line
    # Who sent it: the mail host's own login, or, where it trusts postern, the user postern told
    # it with XCLIENT LOGIN (forwarded only).
    if mailhost or forward:
        assert "sasl_username=alice" in line, line
    else:
        assert "sasl_username" not in line, line
    dovecot.wait_for_message("bob", token.encode())
