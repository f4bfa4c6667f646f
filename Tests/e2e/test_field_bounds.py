"""SPEC §4: every field a client sends that travels between roles is bounded in the protocol
layer. Over its bound it gets the protocol's error and changes nothing else: no channel between
roles closes, and the next valid login on every protocol goes through. (Before the bounds, an
unauthenticated IMAP LOGIN with two 8 KiB literals made an auth-request over the 16 KiB record
limit, the listener's channel to authd closed, and every later login was refused.)"""
import pytest

from harness.accounts import MAIL_USERS
from harness.imapclient import ImapConnection
from harness.mailclients import PROTOCOLS, connect, log_in
from harness.mailproxies import pop3s, smtps
from harness.pop3client import Pop3Connection
from harness.posternctl import posternctl
from harness.smtpclient import SmtpConnection
from harness.survival import assert_roles_survived, role_pids


@pytest.fixture
def postern(start_postern, dovecot, postfix):
    return start_postern(overrides={**pop3s(dovecot), **smtps(postfix)})


def every_protocol_logs_in(postern, pki) -> None:
    for protocol in PROTOCOLS:
        conn = connect(postern, protocol, pki.ca_cert)
        try:
            assert log_in(conn, "bob", MAIL_USERS["bob"]), f"a valid {protocol} login was refused afterwards"
        finally:
            conn.close()


def assert_channels_intact(postern, before: dict) -> None:
    assert_roles_survived(postern, before)
    for event in ("peer-lost", "record-not-sent", "ipc-violation"):
        assert not postern.find(event), f"{event}: {postern.find(event)}"


def test_an_imap_login_with_two_8_kib_literals_is_refused_and_breaks_nothing(postern, pki):
    before = role_pids(postern)
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        conn.send(b"a LOGIN {8192+}\r\n" + b"u" * 8192 + b" {8192+}\r\n" + b"p" * 8192 + b"\r\n")
        assert conn.line(10) == b"a NO [LIMIT] Username or password too long\r\n"
        assert conn.login("bob", MAIL_USERS["bob"]).ok, "the same session logs in afterwards"
    every_protocol_logs_in(postern, pki)
    assert_channels_intact(postern, before)


def test_pop3_user_and_pass_lines_of_8_kib_are_refused_and_break_nothing(postern, pki):
    before = role_pids(postern)
    with Pop3Connection(postern.port_of("pop3s"), pki.ca_cert) as conn:
        assert conn.command("USER " + "u" * 8187) == b"-ERR Username or password too long\r\n"
        assert conn.command("USER bob") == b"+OK\r\n"
        assert conn.command("PASS " + "p" * 8187) == b"-ERR Username or password too long\r\n"
        assert conn.user_pass("bob", MAIL_USERS["bob"]).startswith(b"+OK")
    every_protocol_logs_in(postern, pki)
    assert_channels_intact(postern, before)


def test_a_login_whose_grant_would_be_oversize_is_refused_and_breaks_nothing(postern, pki):
    """A 7.5 KiB username without a separator fits an auth-request, but names both the VPN and
    the mail user: its grant would carry it twice, past the record limit (before the bounds, authd's
    reply closed its channel to the listener). Refused in the protocol layer now."""
    before = role_pids(postern)
    user = b"u" * 7680
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        conn.send(b"g LOGIN {%d+}\r\n" % len(user) + user + b" pw\r\n")
        assert conn.line(10) == b"g NO [LIMIT] Username or password too long\r\n"
        assert conn.login("bob", MAIL_USERS["bob"]).ok
    every_protocol_logs_in(postern, pki)
    assert_channels_intact(postern, before)


def test_a_4_kib_imap_tag_and_a_2_kib_ehlo_name_are_refused(postern, pki):
    before = role_pids(postern)
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        conn.send(b"t" * 4096 + b' LOGIN "bob" "' + MAIL_USERS["bob"].encode() + b'"\r\n')
        assert conn.line(10) == b"* BAD Tag too long\r\n"
        assert conn.login("bob", MAIL_USERS["bob"]).ok
    with SmtpConnection(postern.port_of("smtps"), pki.ca_cert) as conn:
        assert conn.ehlo("h" * 2048).code == 501
        assert conn.ehlo().code == 250
        assert conn.auth_plain("bob", MAIL_USERS["bob"]).code == 235
    every_protocol_logs_in(postern, pki)
    assert_channels_intact(postern, before)


def test_the_largest_rfc_2971_id_before_login_is_answered(postern, pki):
    """RFC 2971 allows 30 pairs of 30-octet fields and 1024-octet values; written with every
    octet escaped that is a 63 KiB line, far past the 8 KiB pre-auth line limit, and it is
    answered (before, the session was closed with "Line too long")."""
    field = b'"' + b'\\"' * 30 + b'"'
    value = b'"' + b"\\\\" * 1024 + b'"'
    pairs = b" ".join(field + b" " + value for _ in range(30))
    before = role_pids(postern)
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        conn.send(b"i1 ID (" + pairs + b")\r\n")
        assert conn.line(10).startswith(b"* ID ")
        assert conn.line(10) == b"i1 OK ID completed\r\n"
        assert conn.login("bob", MAIL_USERS["bob"]).ok, "the same session logs in afterwards"
    every_protocol_logs_in(postern, pki)
    assert_channels_intact(postern, before)


def test_sessions_and_status_list_200_sessions_with_1_kib_names(start_postern, pki):
    """`posternctl sessions` splits its answer by size: 200 sessions whose VPN user has a 1 KiB
    name (before, 40 of them made one admin reply over the record limit and the listener's
    channel to the supervisor closed, taking every session with it)."""
    mail_users = ("alice", "bob", "carol", "dave")   # Dovecot allows 100 sessions per user and address
    vpn_user = "v" * (1024 - len(":carol"))          # the longest whole username at its bound
    postern = start_postern(users={vpn_user: "long-name-pw"}, overrides={
        "group-policy": {"DfltGrpPolicy": {"simultaneous-logins": 1000}}, "imap4s": {"outstanding": 300}})
    before = role_pids(postern)
    sessions = []
    try:
        for i in range(200):
            mail_user = mail_users[i % len(mail_users)]
            conn = ImapConnection(postern.port, pki.ca_cert)
            sessions.append(conn)
            assert conn.login(f"{vpn_user}:{mail_user}", f"long-name-pw:{MAIL_USERS[mail_user]}").ok
        listed = posternctl(postern, "sessions", json_output=True)
        assert listed.returncode == 0, listed.stderr
        ids = {s["id"] for s in listed.json["sessions"]}
        assert len(ids) == 200, f"{len(ids)} sessions listed"
        assert all(s["vpnUser"] == vpn_user for s in listed.json["sessions"])
        status = posternctl(postern, "status", json_output=True)
        assert status.json["status"]["sessions"] == 200
        assert all(conn.alive() for conn in sessions), "a session ended"
        assert_channels_intact(postern, before)
    finally:
        for conn in sessions:
            conn.close()
