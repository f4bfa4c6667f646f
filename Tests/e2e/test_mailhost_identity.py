"""`["mailhost"]` alone (SPEC §3): there is no VPN identity. The mail user the mail host accepts
is the identity for policy, limits, logs and accounting; a username with a VPN part is a name
nobody checked, and is refused."""
from harness.accounts import MAIL_USERS
from harness.imapclient import ImapConnection
from harness.radius import radius_group
from harness.secretfiles import write_secret


def test_mailhost_alone_takes_the_mail_user_as_the_identity(start_postern, radius, dovecot, pki, e2e_dir):
    secret = write_secret(e2e_dir / "radius-secret-mailhost", radius.secret)
    postern = start_postern(overrides={
        "aaa-server-group": {"RAD": radius_group(secret, (radius.ports.auth, radius.ports.acct))},
        "imap4s": {"authentication": ["mailhost"], "accounting-server-group": "RAD"},
    })
    # A VPN part that nobody checks: refused, and the mail host is never asked.
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        reply = conn.login("ceo:carol", MAIL_USERS["carol"])
        assert reply.status == "NO" and "UNAVAILABLE" not in reply.text, reply
        session = postern.session_of_client(conn.local_port)
    refused = postern.wait_for("auth-result", session=session)
    assert refused["result"] == "failure" and "mailhost" in refused["reason"], refused
    assert not postern.find("relay-requested", session=session)

    # carol alone: carol is the identity everywhere.
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.login("carol", MAIL_USERS["carol"]).ok
        session = postern.session_of_client(conn.local_port)
        granted = postern.wait_for("authorization", session=session)
        assert (granted["vpn-user"], granted["policy"]) == ("carol", "DfltGrpPolicy"), granted
        start = radius.wait_for_accounting(Acct_Status_Type="Start", Acct_Session_Id=session)
        assert start["User-Name"] == "carol", start
        conn.logout()
