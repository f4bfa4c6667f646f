"""SPEC §1: grants come only from authd. authd signs every grant (HMAC over the session, the
VPN and mail users, the mail host, the protocol and whether to log in upstream) with a key the
supervisor gives to authd and the relays only. A listener that sends a relay request without a
valid token (here a debug build's test hook plays the compromised listener) gets no login at the
mail host: the relay refuses and logs it, and the channel and every role carry on."""
import pytest

from harness.accounts import MAIL_USERS
from harness.imapclient import ImapConnection
from harness.mailproxies import smtps
from harness.smtpclient import SmtpConnection
from harness.survival import assert_roles_survived, role_pids


@pytest.mark.parametrize("mode", ["forged", "missing"])
def test_a_relay_request_without_authds_token_is_refused_and_logged(start_postern, postfix, pki, mode):
    # SMTP trusted by the mail host (no upstream login): the token is all that stands between a
    # compromised listener and submitting mail as anyone.
    postern = start_postern(environment={"POSTERN_TEST_GRANT_TOKEN": mode},
                            overrides=smtps(postfix, mailhost=False))
    before = role_pids(postern)
    expected = "no grant token" if mode == "missing" else "grant token does not verify"
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        reply = conn.login("alice", MAIL_USERS["alice"])
        assert reply.status == "NO", reply
        session = postern.session_of_client(conn.local_port)
        refused = postern.wait_for("grant-refused", session=session)
        assert refused["reason"] == expected and refused["vpn-user"] == "alice", refused
        assert conn.command("NOOP").ok, "the session goes on after the refusal"
    with SmtpConnection(postern.port_of("smtps"), pki.ca_cert) as conn:
        assert conn.ehlo().code == 250
        assert conn.auth_plain("bob", MAIL_USERS["bob"]).code != 235
        session = postern.session_of_client(conn.local_port)
        assert postern.wait_for("grant-refused", session=session)["reason"] == expected
    assert not postern.find("relay-established"), "a relay logged in without authd's grant"
    assert_roles_survived(postern, before)
    assert not postern.find("peer-lost")


def test_a_session_established_without_authds_token_is_not_counted(start_postern, pki):
    """authd counts and accounts only sessions it granted: a session-established whose token is
    not the grant's is refused and logged, and takes no login slot of its own."""
    postern = start_postern(environment={"POSTERN_TEST_GRANT_TOKEN": "forged-established"})
    before = role_pids(postern)
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.login("alice", MAIL_USERS["alice"]).ok
        session = postern.session_of_client(conn.local_port)
        refused = postern.wait_for("ipc-violation", role="authd", record="session-established")
        assert refused["session"] == session and "grant token" in refused["error"], refused
    assert_roles_survived(postern, before)
    assert not postern.find("peer-lost"), "a refused record closed the channel"
