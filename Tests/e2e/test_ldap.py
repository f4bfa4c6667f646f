"""LDAP authentication and authorization (SPEC §3) against a real slapd: search as the service
account, bind as the user, groups through group-map, StartTLS and ldaps:// verified against the
test CA, failover past a server that never answers, and an LDAP authorization group behind
local authentication."""
import socket
import time

from harness.accounts import MAIL_USERS, WRONG_PASSWORD, vpn_users
from harness.imapclient import ImapConnection
from harness.ldap import ldap_group, ldap_server
from harness.posternctl import posternctl
from harness.secretfiles import write_secret


def login(postern, pki, user, password):
    """(status, session id) of one IMAP LOGIN through postern."""
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        reply = conn.login(user, password)
        return reply, postern.session_of_client(conn.local_port)


def test_ldap_bind_maps_groups_to_policies(start_postern, ldap, pki, e2e_dir):
    password_file = write_secret(e2e_dir / "ldap-bind-1", ldap.service_password)
    postern = start_postern(overrides={
        "aaa-server-group": {"DIR": ldap_group(ldap_server(ldap, pki, password_file))},
        "group-policy": {"Engineering": {"simultaneous-logins": 5}},
        "imap4s": {"authentication-server-group": "DIR"},
    })
    # alice is in cn=engineering: policy Engineering, from the LDAP group, in the log and in
    # posternctl sessions while her session lasts.
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.login("alice", MAIL_USERS["alice"]).ok
        session = postern.session_of_client(conn.local_port)
        granted = postern.wait_for("authorization", session=session)
        assert (granted["policy"], granted["source"]) == ("Engineering", "ldap-group"), granted
        listed = posternctl(postern, "sessions", json_output=True).json["sessions"]
        assert [s["groupPolicy"] for s in listed if s["id"] == session] == ["Engineering"], listed
    result = postern.wait_for("auth-result", session=session)
    assert (result["result"], result["server-group"], result["server"]) == ("success", "DIR", ldap.ldap_url), result

    # bob is in no mapped group: the default group policy.
    reply, session = login(postern, pki, "bob", MAIL_USERS["bob"])
    assert reply.ok, reply
    assert postern.wait_for("authorization", session=session)["policy"] == "DfltGrpPolicy"

    # A wrong password fails at the user's bind.
    reply, session = login(postern, pki, "bob", WRONG_PASSWORD)
    assert reply.status == "NO" and "[UNAVAILABLE]" not in reply.text, reply
    refused = postern.wait_for("auth-result", session=session)
    assert (refused["result"], refused["reason"]) == ("failure", "wrong password"), refused

    # A filter-injection name matches nothing, not every uid: escaped per RFC 4515.
    reply, session = login(postern, pki, "*)(uid=*", MAIL_USERS["alice"])
    assert reply.status == "NO", reply
    refused = postern.wait_for("auth-result", session=session)
    assert (refused["result"], refused["reason"]) == ("failure", "unknown user"), refused
    assert "(UID=\\2A\\29\\28UID=\\2A)" in ldap.log_text().upper(), ldap.log_text()[-3000:]

    # An empty password would be an unauthenticated bind, which LDAP accepts: refused first.
    reply, session = login(postern, pki, "alice", "")
    assert reply.status == "NO", reply
    assert postern.wait_for("auth-result", session=session)["reason"] == "empty password"

    assert ldap.service_password not in postern.log_text()


def test_ldaps_with_a_silent_first_server_fails_over_and_skips_it(start_postern, ldap, pki, e2e_dir):
    password_file = write_secret(e2e_dir / "ldap-bind-2", ldap.service_password)
    # A port that accepts TCP connections (the kernel's backlog) and never says a word.
    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    silent_port = silent.getsockname()[1]
    try:
        postern = start_postern(overrides={
            "aaa-server-group": {"DIR": ldap_group(
                ldap_server(ldap, pki, password_file, url=f"ldaps://127.0.0.1:{silent_port}"),
                ldap_server(ldap, pki, password_file, url=ldap.ldaps_url))},
            "group-policy": {"Engineering": {"simultaneous-logins": 5}},
            "imap4s": {"authentication-server-group": "DIR"},
        })
        reply, session = login(postern, pki, "alice", MAIL_USERS["alice"])
        assert reply.ok, reply
        dead = postern.wait_for("server-dead")
        assert (dead["group"], dead["name"]) == ("DIR", f"ldaps://127.0.0.1:{silent_port}"), dead
        assert postern.wait_for("auth-result", session=session)["server"] == ldap.ldaps_url

        started = time.monotonic()
        reply, session = login(postern, pki, "bob", MAIL_USERS["bob"])
        assert reply.ok, reply
        assert time.monotonic() - started < 1.0, "the dead server was waited for again"
        assert len(postern.find("server-dead")) == 1
    finally:
        silent.close()


def test_no_live_ldap_server_is_a_temporary_failure(start_postern, ldap, pki, e2e_dir):
    password_file = write_secret(e2e_dir / "ldap-bind-3", ldap.service_password)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()   # nothing listens there: connection refused
    postern = start_postern(overrides={
        "aaa-server-group": {"DIR": ldap_group(ldap_server(ldap, pki, password_file, url=f"ldaps://127.0.0.1:{port}"))},
        "group-policy": {"Engineering": {"simultaneous-logins": 5}},
        "imap4s": {"authentication-server-group": "DIR"},
    })
    reply, session = login(postern, pki, "alice", MAIL_USERS["alice"])
    assert reply.status == "NO" and "[UNAVAILABLE]" in reply.text, reply
    assert postern.wait_for("auth-result", session=session)["result"] == "temporary-failure"


def test_a_wrong_service_password_is_a_temporary_failure_not_a_wrong_user_password(start_postern, ldap, pki, e2e_dir):
    password_file = write_secret(e2e_dir / "ldap-bind-4", "not-the-service-password")
    postern = start_postern(overrides={
        "aaa-server-group": {"DIR": ldap_group(ldap_server(ldap, pki, password_file))},
        "group-policy": {"Engineering": {"simultaneous-logins": 5}},
        "imap4s": {"authentication-server-group": "DIR"},
    })
    reply, session = login(postern, pki, "alice", MAIL_USERS["alice"])
    assert reply.status == "NO" and "[UNAVAILABLE]" in reply.text, reply
    result = postern.wait_for("auth-result", session=session)
    assert result["result"] == "temporary-failure" and "service account" in result["reason"], result
    assert not postern.find("server-dead"), "a server that answered was marked dead"


def test_an_untrusted_ldap_certificate_is_refused(start_postern, ldap, pki, e2e_dir):
    password_file = write_secret(e2e_dir / "ldap-bind-5", ldap.service_password)
    server = ldap_server(ldap, pki, password_file)
    server["ca-file"] = "/etc/ssl/certs/ca-certificates.crt"   # the system's CAs do not know the test CA
    postern = start_postern(overrides={
        "aaa-server-group": {"DIR": ldap_group(server)},
        "group-policy": {"Engineering": {"simultaneous-logins": 5}},
        "imap4s": {"authentication-server-group": "DIR"},
    })
    binds = ldap.log_text().count('BIND dn="uid=alice')
    reply, session = login(postern, pki, "alice", MAIL_USERS["alice"])
    assert reply.status == "NO" and "[UNAVAILABLE]" in reply.text, reply
    result = postern.wait_for("auth-result", session=session)
    assert result["result"] == "temporary-failure" and "StartTLS" in result["reason"], result
    assert ldap.log_text().count('BIND dn="uid=alice') == binds, "the password went to an unverified server"


OUTSIDER, OUTSIDER_PASSWORD = "outsider", "outsider-pw-Q7s"


def test_local_authentication_with_ldap_authorization(start_postern, ldap, pki, e2e_dir):
    """The users file authenticates; the directory says which policy applies. A user the
    directory does not know keeps the authentication's attributes unless authorization is
    required, and is refused when it is."""
    password_file = write_secret(e2e_dir / "ldap-bind-6", ldap.service_password)
    users = vpn_users(**{OUTSIDER: OUTSIDER_PASSWORD})
    overrides = {
        "aaa-server-group": {"DIR": ldap_group(ldap_server(ldap, pki, password_file))},
        "group-policy": {"Engineering": {"simultaneous-logins": 5}},
        "imap4s": {"authorization-server-group": "DIR"},
    }
    postern = start_postern(overrides=overrides, users=users)
    reply, session = login(postern, pki, "alice", MAIL_USERS["alice"])
    assert reply.ok, reply
    assert postern.wait_for("auth-result", session=session)["server"] == "local"
    lookup = postern.wait_for("authorization-lookup", session=session)
    assert (lookup["result"], lookup["server-group"]) == ("found", "DIR"), lookup
    granted = postern.wait_for("authorization", session=session)
    assert (granted["policy"], granted["source"]) == ("Engineering", "ldap-group"), granted

    # outsider:alice is a VPN user of the file only, reading alice's mail.
    reply, session = login(postern, pki, f"{OUTSIDER}:alice", f"{OUTSIDER_PASSWORD}:{MAIL_USERS['alice']}")
    assert reply.ok, reply
    assert postern.wait_for("authorization-lookup", session=session)["result"] == "not-found"
    assert postern.wait_for("authorization", session=session)["policy"] == "DfltGrpPolicy"
    postern.stop()

    overrides["imap4s"]["authorization-required"] = True
    postern = start_postern(overrides=overrides, users=users)
    reply, session = login(postern, pki, f"{OUTSIDER}:alice", f"{OUTSIDER_PASSWORD}:{MAIL_USERS['alice']}")
    assert reply.status == "NO", reply
    refused = postern.wait_for("authorization", session=session)
    assert refused["result"] == "refused" and "authorization-required" in refused["reason"], refused
    reply, session = login(postern, pki, "alice", MAIL_USERS["alice"])
    assert reply.ok, reply
    assert postern.wait_for("authorization", session=session)["policy"] == "Engineering"
    assert ldap.service_password not in postern.log_text()


def test_pop3s_and_smtps_log_in_through_ldap_too(start_postern, ldap, dovecot, postfix, pki, e2e_dir):
    from harness.mailclients import connect, log_in
    from harness.mailproxies import pop3s, smtps
    password_file = write_secret(e2e_dir / "ldap-bind-7", ldap.service_password)
    postern = start_postern(overrides={
        "aaa-server-group": {"DIR": ldap_group(ldap_server(ldap, pki, password_file, url=ldap.ldaps_url))},
        "group-policy": {"Engineering": {}},
        "imap4s": {"authentication-server-group": "DIR"},
        **pop3s(dovecot, authentication_server_group="DIR"),
        **smtps(postfix, authentication_server_group="DIR"),
    })
    for protocol in ("pop3s", "smtps"):
        conn = connect(postern, protocol, pki.ca_cert)
        try:
            assert log_in(conn, "alice", MAIL_USERS["alice"]), protocol
            session = postern.session_of_client(conn.local_port)
            granted = postern.wait_for("authorization", session=session)
            assert (granted["policy"], granted["source"]) == ("Engineering", "ldap-group"), (protocol, granted)
        finally:
            conn.close()
        bad = connect(postern, protocol, pki.ca_cert)
        try:
            assert not log_in(bad, "alice", WRONG_PASSWORD), protocol
        finally:
            bad.close()
