"""A mail client logs in through postern and reads its mail: curl and imaplib, every
login mechanism, a failed attempt retried on the same connection, root and plain user."""
import pwd

import pytest

from harness import curl
from harness.accounts import MAIL_USERS, WRONG_PASSWORD
from harness.imapclient import ImapConnection
from harness.imapflows import fetch_first_message, imaplib_client
from harness.procstatus import read_status

ALICE = MAIL_USERS["alice"]


def test_curl_reads_the_delivered_message_with_a_verified_certificate(postern, dovecot, pki):
    result = curl.imaps(postern.port, "INBOX;UID=1", "alice", ALICE, pki.ca_cert)
    assert result.returncode == 0, result.stderr
    assert dovecot.tokens["alice"] in result.stdout


def test_curl_lists_the_mailboxes(postern, pki):
    result = curl.imaps(postern.port, "", "alice", ALICE, pki.ca_cert)
    assert result.returncode == 0, result.stderr
    assert "INBOX" in result.stdout


# (curl 7.88 has no AUTH=+LOGIN to force the LOGIN command; imaplib's login() covers it.)
@pytest.mark.parametrize("options", ["AUTH=PLAIN", "AUTH=LOGIN"])
def test_curl_logs_in_with_each_sasl_mechanism(postern, dovecot, pki, options):
    result = curl.imaps(postern.port, "INBOX;UID=1", "bob", MAIL_USERS["bob"], pki.ca_cert,
                        login_options=options)
    assert result.returncode == 0, result.stderr
    assert dovecot.tokens["bob"] in result.stdout


def test_curl_with_a_wrong_password_is_denied(postern, pki):
    result = curl.imaps(postern.port, "INBOX;UID=1", "alice", WRONG_PASSWORD, pki.ca_cert)
    assert result.returncode == curl.LOGIN_DENIED, (result.returncode, result.stderr)


def test_imaplib_login_list_and_fetch(postern, dovecot, pki):
    with imaplib_client(postern.port, pki.ca_cert) as imap:
        assert imap.login("alice", ALICE)[0] == "OK"
        typ, boxes = imap.list()
        assert typ == "OK" and any(b"INBOX" in b for b in boxes), boxes
        assert dovecot.tokens["alice"].encode() in fetch_first_message(imap)
        assert imap.logout()[0] == "BYE"


def test_imaplib_authenticate_plain(postern, dovecot, pki):
    with imaplib_client(postern.port, pki.ca_cert) as imap:
        typ, _ = imap.authenticate("PLAIN", lambda _challenge: f"\0carol\0{MAIL_USERS['carol']}".encode())
        assert typ == "OK"
        assert dovecot.tokens["carol"].encode() in fetch_first_message(imap)


def test_imaplib_authenticate_login(postern, dovecot, pki):
    answers = iter(["carol", MAIL_USERS["carol"]])
    with imaplib_client(postern.port, pki.ca_cert) as imap:
        typ, _ = imap.authenticate("LOGIN", lambda _challenge: next(answers).encode())
        assert typ == "OK"
        assert dovecot.tokens["carol"].encode() in fetch_first_message(imap)


def test_greeting_and_capability_before_login(postern, pki):
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.greeting.startswith(b"* OK"), conn.greeting
        reply = conn.command("CAPABILITY")
        assert reply.ok
        caps = reply.data().upper()
        assert b"IMAP4REV1" in caps and b"AUTH=PLAIN" in caps and b"AUTH=LOGIN" in caps, caps


def test_wrong_password_gets_no_and_the_same_connection_retries(postern, dovecot, pki):
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.login("alice", WRONG_PASSWORD).status == "NO"
        assert conn.authenticate_plain("alice", WRONG_PASSWORD).status == "NO"
        assert conn.login("alice", ALICE).ok
        assert dovecot.tokens["alice"].encode() in conn.first_message()
    session = postern.session_of_client(conn.local_port)
    assert len(postern.find("auth-result", session=session, result="failure")) == 2
    postern.wait_for("auth-result", session=session, result="success")


def test_login_works_with_postern_running_as_a_plain_user(start_postern, dovecot, pki):
    p = start_postern(run_as="nobody")
    nobody = pwd.getpwnam("nobody").pw_uid
    pids = [p.process.pid] + [pid for child in ("listener", "authd", "relay")
                              for pid in p.current_pids(child).values()]
    assert len(pids) == 1 + 1 + 1 + 2, p.child_starts()
    for pid in pids:
        assert read_status(pid).uids == (nobody,) * 4, pid

    result = curl.imaps(p.port, "INBOX;UID=1", "alice", ALICE, pki.ca_cert)
    assert result.returncode == 0, result.stderr
    assert dovecot.tokens["alice"] in result.stdout
    with imaplib_client(p.port, pki.ca_cert) as imap:
        assert imap.login("bob", MAIL_USERS["bob"])[0] == "OK"
        assert dovecot.tokens["bob"].encode() in fetch_first_message(imap)
