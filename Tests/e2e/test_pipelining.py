"""No byte is lost where the login hands the session to the mail host: commands a client
pipelines right after its login, in the same write or while the listener joins the session to
its relay, are all answered (SPEC §4)."""
import pytest

from harness.accounts import MAIL_USERS
from harness.imapclient import ImapConnection
from harness.mailproxies import pop3s, smtps
from harness.pop3client import Pop3Connection
from harness.postfix import DOMAIN
from harness.smtpclient import SmtpConnection, b64

LOGIN = f'a LOGIN bob "{MAIL_USERS["bob"]}"\r\n'.encode()
AFTER_LOGIN = b"b SELECT INBOX\r\nc FETCH 1 BODY[]\r\n"


@pytest.fixture
def postern(start_postern, dovecot, postfix):
    dovecot.deliver_marked("bob")   # FETCH 1 and RETR 1 need a message
    return start_postern(overrides={**pop3s(dovecot), **smtps(postfix)})


def read_until(conn, predicate, timeout=10) -> list:
    lines = []
    while not lines or not predicate(lines[-1]):
        lines.append(conn.line(timeout))
    return lines


def assert_answered_after_login(lines: list) -> None:
    tagged = [line.split(b" ")[:2] for line in lines if line[:2] in (b"a ", b"b ", b"c ")]
    assert tagged == [[b"a", b"OK"], [b"b", b"OK"], [b"c", b"OK"]], lines
    assert any(line.startswith(b"* 1 FETCH (") and b"BODY[] {" in line for line in lines), lines


def test_imap_commands_pipelined_after_login_are_all_answered(postern, pki):
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        conn.send(LOGIN + AFTER_LOGIN)
        assert_answered_after_login(read_until(conn, lambda line: line.startswith(b"c ")))


def test_imap_commands_sent_while_the_listener_joins_are_answered(start_postern, dovecot, pki):
    """A test hook holds the join for a second after the relay has logged in; the commands sent
    then must reach the mail host once the socketpair is adopted."""
    dovecot.deliver_marked("bob")
    postern = start_postern(environment={"POSTERN_TEST_JOIN_DELAY_MS": "1500"})
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        conn.send(LOGIN)
        session = postern.session_of_client(conn.local_port)
        postern.wait_for("relay-established", session=session, role="relay")
        conn.send(AFTER_LOGIN)
        assert_answered_after_login(read_until(conn, lambda line: line.startswith(b"c ")))
    # The hook did hold the join: the listener's own relay-established came after the relay's.
    assert postern.find("relay-established", session=session, role="listener")


def test_pop3_commands_pipelined_after_pass_are_all_answered(postern, pki):
    with Pop3Connection(postern.port_of("pop3s"), pki.ca_cert) as conn:
        conn.send(f'USER bob\r\nPASS {MAIL_USERS["bob"]}\r\nSTAT\r\nRETR 1\r\n'.encode())
        replies = [conn.line(10) for _ in range(3)]
        assert all(r.startswith(b"+OK") for r in replies), replies
        message = read_until(conn, lambda line: line == b".\r\n")
        assert message[0].startswith(b"+OK") and len(message) > 3, message


def test_smtp_commands_pipelined_after_auth_are_all_answered(postern, pki):
    with SmtpConnection(postern.port_of("smtps"), pki.ca_cert) as conn:
        assert conn.ehlo().code == 250
        token = b64(f"\0bob\0{MAIL_USERS['bob']}".encode())
        conn.send(f"AUTH PLAIN {token}\r\nMAIL FROM:<bob@{DOMAIN}>\r\nRCPT TO:<alice@{DOMAIN}>\r\nDATA\r\n".encode())
        codes = [conn.reply(10).code for _ in range(4)]
        assert codes == [235, 250, 250, 354], codes
