"""The username and password forms of SPEC §3: vpn:mail pairs, mail addresses as plain
usernames, a server suffix honoured only for allowed servers."""
import os
import time

from harness.accounts import MAIL_USERS, VPN_PASSWORD, VPN_USER, WRONG_PASSWORD, vpn_users
from harness.imapclient import ImapClosed, ImapConnection
from harness.trap import TrapListener

ALICE = MAIL_USERS["alice"]


def no_new_dovecot_attempt_for(dovecot, user: str, since: int) -> bool:
    time.sleep(0.5)   # Dovecot's log process writes asynchronously
    return (dovecot.wait_for_log(f"user=<{user}>", since=since, timeout=0) is None
            and dovecot.wait_for_log(f"passwd-file({user},", since=since, timeout=0) is None)


def test_vpn_and_mail_passwords_are_checked_separately(postern, dovecot, pki):
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        offset = dovecot.log_offset()
        # A wrong VPN password stops at authd: the mail host never hears of alice.
        assert conn.login(f"{VPN_USER}:alice", f"{WRONG_PASSWORD}:{ALICE}").status == "NO"
        assert no_new_dovecot_attempt_for(dovecot, "alice", offset)
        # The right VPN password with a wrong mail password fails at the mail host.
        assert conn.login(f"{VPN_USER}:alice", f"{VPN_PASSWORD}:{WRONG_PASSWORD}").status == "NO"
        assert conn.login(f"{VPN_USER}:alice", f"{VPN_PASSWORD}:{ALICE}").ok
        assert dovecot.tokens["alice"].encode() in conn.first_message()


def test_one_password_serves_both_sides(postern, pki):
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        # The VPN password alone is also sent as the mail password, which Dovecot refuses.
        assert conn.login(f"{VPN_USER}:alice", VPN_PASSWORD).status == "NO"
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        # alice's VPN and mail passwords are the same: one serves both.
        assert conn.login("alice:alice", ALICE).ok


def test_vpn_pair_through_authenticate_plain(postern, dovecot, pki):
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.authenticate_plain(f"{VPN_USER}:carol", f"{VPN_PASSWORD}:{MAIL_USERS['carol']}").ok
        assert dovecot.tokens["carol"].encode() in conn.first_message()


def test_mail_address_as_username_reaches_the_default_server(postern, dovecot, pki):
    offset = dovecot.log_offset()
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.login("alice@example.org", MAIL_USERS["alice@example.org"]).ok
        assert dovecot.tokens["alice@example.org"].encode() in conn.first_message()
    line = dovecot.wait_for_log("Login: user=<alice@example.org>", since=offset)
    assert line is not None and "lip=127.0.0.1," in line, line


def test_allowed_server_suffix_reaches_the_second_host(postern, dovecot, pki):
    offset = dovecot.log_offset()
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.login("bob@127.0.0.2", MAIL_USERS["bob"]).ok
        assert dovecot.tokens["bob"].encode() in conn.first_message()
    line = dovecot.wait_for_log("Login: user=<bob>", since=offset)
    assert line is not None and "lip=127.0.0.2," in line, line
    session = postern.session_of_client(conn.local_port)
    assert "127.0.0.2" in postern.wait_for("relay-established", session=session).get("host", "")


def test_server_suffix_that_is_not_allowed_never_steers_the_relay(start_postern, dovecot, pki):
    """bob@127.0.0.9 is no allowed server, so the whole is the mail username at the default
    server; nothing ever connects to 127.0.0.9."""
    traps = [TrapListener("127.0.0.9", dovecot.ports.imap)]
    if os.geteuid() == 0:
        traps.append(TrapListener("127.0.0.9", 143))
    try:
        # A VPN account of that name lets the attempt get past AAA to the relay.
        postern = start_postern(users=vpn_users(**{"bob@127.0.0.9": MAIL_USERS["bob"]}))
        offset = dovecot.log_offset()
        replies = []
        try:
            with ImapConnection(postern.port, pki.ca_cert) as conn:
                replies.append(conn.login("bob@127.0.0.9", MAIL_USERS["bob"]).status)
                replies.append(conn.authenticate_plain("bob@127.0.0.9", MAIL_USERS["bob"]).status)
        except (OSError, ImapClosed) as e:   # a relay stuck on a trap makes the client time out
            replies.append(repr(e))
        for trap in traps:
            assert trap.connections() == [], f"something connected to {trap.address}:{trap.port}"
        assert replies == ["NO", "NO"]
        # The default server was asked about the whole name.
        assert dovecot.wait_for_log("bob@127.0.0.9", since=offset) is not None
    finally:
        for trap in traps:
            trap.close()


def test_a_changed_password_takes_effect_at_once(postern, pki):
    """A successful check is remembered (crypt(3) is slow on purpose), but never past a
    change of the users file: the old password fails on the very next login."""
    from harness.localusers import write_users_file
    pair = f"{VPN_USER}:alice"
    for _ in range(2):   # the second login is answered from what authd remembers
        with ImapConnection(postern.port, pki.ca_cert) as conn:
            assert conn.login(pair, f"{VPN_PASSWORD}:{ALICE}").ok
    new_password = "changed-vpn-pw-K2m"
    postern.users = {**postern.users, VPN_USER: new_password}
    write_users_file(postern.directory / "users", postern.users)
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.login(pair, f"{VPN_PASSWORD}:{ALICE}").status == "NO"
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.login(pair, f"{new_password}:{ALICE}").ok
