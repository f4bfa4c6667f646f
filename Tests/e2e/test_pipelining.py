"""No byte is lost where the login hands the session to the mail host: commands a client
pipelines right after its login, in the same write, are all answered (SPEC §4)."""
import pytest

from harness.accounts import MAIL_USERS
from harness.imapclient import ImapConnection
from harness.mailproxies import pop3s, smtps
from harness.pop3client import Pop3Connection, plain_response
from harness.postfix import DOMAIN
from harness.smtpclient import SmtpConnection, b64


@pytest.fixture
def postern(start_postern, dovecot, postfix):
    return start_postern(overrides={**pop3s(dovecot), **smtps(postfix)})


def read_until(conn, predicate, timeout=10) -> list:
    lines = []
    while not lines or not predicate(lines[-1]):
        lines.append(conn.line(timeout))
    return lines


def test_imap_commands_pipelined_after_login_are_all_answered(postern, pki):
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        conn.send(f'a LOGIN bob "{MAIL_USERS["bob"]}"\r\nb SELECT INBOX\r\nc NOOP\r\n'.encode())
        lines = read_until(conn, lambda line: line.startswith(b"c "))
        tagged = [line.split(b" ")[:2] for line in lines if line[:2] in (b"a ", b"b ", b"c ")]
        assert tagged == [[b"a", b"OK"], [b"b", b"OK"], [b"c", b"OK"]], lines


def test_pop3_commands_pipelined_after_pass_are_all_answered(postern, pki):
    with Pop3Connection(postern.port_of("pop3s"), pki.ca_cert) as conn:
        conn.send(f'USER bob\r\nPASS {MAIL_USERS["bob"]}\r\nSTAT\r\nNOOP\r\n'.encode())
        replies = [conn.line(10) for _ in range(4)]
        assert all(r.startswith(b"+OK") for r in replies), replies


def test_smtp_commands_pipelined_after_auth_are_all_answered(postern, pki):
    with SmtpConnection(postern.port_of("smtps"), pki.ca_cert) as conn:
        assert conn.ehlo().code == 250
        token = b64(f"\0bob\0{MAIL_USERS['bob']}".encode())
        conn.send(f"AUTH PLAIN {token}\r\nMAIL FROM:<bob@{DOMAIN}>\r\nRCPT TO:<alice@{DOMAIN}>\r\nDATA\r\n".encode())
        codes = [conn.reply(10).code for _ in range(4)]
        assert codes == [235, 250, 250, 354], codes

