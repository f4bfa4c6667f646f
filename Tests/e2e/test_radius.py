"""RADIUS authentication (SPEC §3) against a real FreeRADIUS that requires Message-Authenticator:
the group policy from Class, refusals, and failover past a server that does not answer."""
import time

from harness.accounts import MAIL_USERS, WRONG_PASSWORD
from harness.imapclient import ImapConnection
from harness.posternctl import posternctl
from harness.radius import ENGINEERING_CLASS, RadiusUser, radius_group, radius_users
from harness.radiusfakes import SilentUdpPort
from harness.secretfiles import write_secret


def test_class_selects_the_policy_and_a_wrong_password_is_refused(start_postern, radius, pki, e2e_dir):
    secret = write_secret(e2e_dir / "radius-secret-1", radius.secret)
    postern = start_postern(overrides={
        "aaa-server-group": {"RAD": radius_group(secret, (radius.ports.auth, radius.ports.acct))},
        "group-policy": {"Engineering": {"simultaneous-logins": 5}},
        "imap4s": {"authentication-server-group": "RAD"},
    })
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.login("alice", MAIL_USERS["alice"]).ok
        session = postern.session_of_client(conn.local_port)
        granted = postern.wait_for("authorization", session=session)
        assert (granted["policy"], granted["source"]) == ("Engineering", "radius-class"), granted
        listed = posternctl(postern, "sessions", json_output=True).json["sessions"]
        assert [s["groupPolicy"] for s in listed if s["id"] == session] == ["Engineering"], listed
        shown = posternctl(postern, "sessions").stdout
        assert any(session in line and "Engineering" in line for line in shown.splitlines()), shown
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.login("bob", MAIL_USERS["bob"]).ok
        session = postern.session_of_client(conn.local_port)
    assert postern.wait_for("authorization", session=session)["policy"] == "DfltGrpPolicy"
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.login("bob", WRONG_PASSWORD).status == "NO"
        session = postern.session_of_client(conn.local_port)
    refused = postern.wait_for("auth-result", session=session)
    assert refused["result"] == "failure" and refused["reason"] == "Access-Reject", refused
    assert "Login OK: [alice]" in radius.log_text()
    assert radius.secret not in postern.log_text()


def test_a_silent_first_server_is_passed_over_and_then_skipped(start_postern, radius, pki, e2e_dir):
    """Dead only after 3 unanswered requests in a row (each with its retry); then skipped, and
    probed with Status-Server instead of being asked about logins."""
    secret = write_secret(e2e_dir / "radius-secret-2", radius.secret)
    with SilentUdpPort() as silent:
        postern = start_postern(overrides={
            "aaa-server-group": {"RAD": radius_group(secret, (silent.port, silent.port + 1),
                                                     (radius.ports.auth, radius.ports.acct))},
            "imap4s": {"authentication-server-group": "RAD"},
        })
        for login in range(3):
            with ImapConnection(postern.port, pki.ca_cert) as conn:
                assert conn.login("alice", MAIL_USERS["alice"]).ok
            assert silent.codes.count(1) == 2 * (login + 1), f"login {login + 1}: 1 send + 1 retry each"
            assert bool(postern.find("server-dead")) == (login == 2), f"login {login + 1}"
        dead = postern.wait_for("server-dead")
        assert dead["name"] == f"127.0.0.1:{silent.port}", dead
        asked = silent.codes.count(1)
        started = time.monotonic()
        with ImapConnection(postern.port, pki.ca_cert) as conn:
            assert conn.login("bob", MAIL_USERS["bob"]).ok
        assert time.monotonic() - started < 1.0, "the dead server was waited for again"
        assert silent.codes.count(1) == asked, "the dead server was asked again within its dead-time"
        # Meanwhile it is probed, once a timeout (1s), with Status-Server.
        deadline = time.monotonic() + 5
        while silent.codes.count(12) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert silent.codes.count(12) >= 2, silent.codes
        assert postern.find("server-alive") == []


def test_no_live_server_is_a_temporary_failure(start_postern, pki, e2e_dir):
    secret = write_secret(e2e_dir / "radius-secret-3", "unused-secret")
    with SilentUdpPort() as silent:
        postern = start_postern(overrides={
            "aaa-server-group": {"RAD": radius_group(secret, (silent.port, silent.port + 1), retries=0)},
            "imap4s": {"authentication-server-group": "RAD"},
        })
        with ImapConnection(postern.port, pki.ca_cert) as conn:
            reply = conn.login("alice", MAIL_USERS["alice"])
            assert reply.status == "NO" and "[UNAVAILABLE]" in reply.text, reply
            session = postern.session_of_client(conn.local_port)
        assert postern.wait_for("auth-result", session=session)["result"] == "temporary-failure"
    assert "unused-secret" not in postern.log_text()


def test_accounting_records_a_session_with_its_octets_and_cause(start_postern, radius, dovecot, pki, e2e_dir):
    secret = write_secret(e2e_dir / "radius-secret-4", radius.secret)
    server = [(radius.ports.auth, radius.ports.acct)]
    postern = start_postern(overrides={
        "aaa-server-group": {"RAD": radius_group(secret, *server)},
        "imap4s": {"authentication-server-group": "RAD", "accounting-server-group": "RAD"},
    })
    assert radius.wait_for_accounting(Acct_Status_Type="Accounting-On")
    conn = ImapConnection(postern.port, pki.ca_cert)
    assert conn.login("bob", MAIL_USERS["bob"]).ok
    session = postern.session_of_client(conn.local_port)
    # What the client sends after its login, byte for byte (the harness tags t2, t3, ...).
    sent = 0
    for text in ("SELECT INBOX", "FETCH 1 BODY.PEEK[]", "LOGOUT"):
        sent += len(f"t{conn.tag_number + 1} {text}\r\n")
        try:
            reply = conn.command(text)
        except Exception:
            reply = None
        if text != "LOGOUT":
            assert reply.ok
    conn.close()
    closed = postern.wait_for("session-closed", session=session)
    assert closed["reason"] == "client-logout", closed
    start = radius.wait_for_accounting(Acct_Status_Type="Start", Acct_Session_Id=session)
    assert start["User-Name"] == "bob" and start["Calling-Station-Id"] == "127.0.0.1", start
    stop = radius.wait_for_accounting(Acct_Status_Type="Stop", Acct_Session_Id=session)
    assert stop["Acct-Terminate-Cause"] == "User-Request", stop
    assert int(stop["Acct-Input-Octets"]) == sent == int(closed["bytes-in"]), (stop, sent, closed)
    assert int(stop["Acct-Output-Octets"]) == int(closed["bytes-out"]), (stop, closed)
    # The whole delivered message (about 260 bytes) came back through the session.
    assert int(stop["Acct-Output-Octets"]) > 250

    # Stopping postern closes the books: Stop (NAS-Reboot) for a live session, then Accounting-Off.
    live = ImapConnection(postern.port, pki.ca_cert)
    assert live.login("alice", MAIL_USERS["alice"]).ok
    live_session = postern.session_of_client(live.local_port)
    radius.wait_for_accounting(Acct_Status_Type="Start", Acct_Session_Id=live_session)
    postern.stop()
    live.close()
    final = radius.wait_for_accounting(Acct_Status_Type="Stop", Acct_Session_Id=live_session)
    assert final["Acct-Terminate-Cause"] == "NAS-Reboot", final
    assert radius.wait_for_accounting(Acct_Status_Type="Accounting-Off")
    assert int(stop.get("Acct-Session-Time", "0")) >= 0


def test_pop3s_and_smtps_log_in_through_radius_too(start_postern, radius, dovecot, postfix, pki, e2e_dir):
    from harness.mailclients import connect, log_in
    from harness.mailproxies import pop3s, smtps
    secret = write_secret(e2e_dir / "radius-secret-5", radius.secret)
    postern = start_postern(overrides={
        "aaa-server-group": {"RAD": radius_group(secret, (radius.ports.auth, radius.ports.acct))},
        "group-policy": {"Engineering": {}},
        "imap4s": {"authentication-server-group": "RAD"},
        **pop3s(dovecot, authentication_server_group="RAD"),
        **smtps(postfix, authentication_server_group="RAD"),
    })
    for protocol in ("imap4s", "pop3s", "smtps"):
        conn = connect(postern, protocol, pki.ca_cert)
        try:
            assert log_in(conn, "alice", MAIL_USERS["alice"]), protocol
            session = postern.session_of_client(conn.local_port)
            granted = postern.wait_for("authorization", session=session)
            assert granted["policy"] == "Engineering", (protocol, granted)
        finally:
            conn.close()
        bad = connect(postern, protocol, pki.ca_cert)
        try:
            assert not log_in(bad, "alice", WRONG_PASSWORD), protocol
        finally:
            bad.close()


def test_without_a_default_policy_a_user_without_class_is_refused(start_postern, radius, pki, e2e_dir):
    secret = write_secret(e2e_dir / "radius-secret-6", radius.secret)
    postern = start_postern(overrides={
        "aaa-server-group": {"RAD": radius_group(secret, (radius.ports.auth, radius.ports.acct))},
        "group-policy": {"Engineering": {}},
        "imap4s": {"authentication-server-group": "RAD", "default-group-policy": None},
    })
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.login("alice", MAIL_USERS["alice"]).ok     # Class OU=Engineering;
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.login("bob", MAIL_USERS["bob"]).status == "NO"  # no Class, no default
        session = postern.session_of_client(conn.local_port)
    refused = postern.wait_for("authorization", session=session)
    assert refused["result"] == "refused" and "default-group-policy" in refused["reason"], refused


def test_a_slow_radius_server_does_not_delay_another_groups_login(start_postern, radius, dovecot, pki, e2e_dir):
    import threading
    from harness.mailclients import connect, log_in
    from harness.mailproxies import pop3s
    from harness.radiusfakes import SlowRadius
    fast_secret = write_secret(e2e_dir / "radius-secret-7", radius.secret)
    with SlowRadius(delay=3) as slow:
        slow_secret = write_secret(e2e_dir / "radius-secret-8", slow.secret)
        postern = start_postern(overrides={
            "aaa-server-group": {
                "SLOW": radius_group(slow_secret, (slow.port, slow.port), timeout="5s", retries=0),
                "FAST": radius_group(fast_secret, (radius.ports.auth, radius.ports.acct)),
            },
            "imap4s": {"authentication-server-group": "SLOW"},
            **pop3s(dovecot, authentication_server_group="FAST"),
        })
        results = {}

        def slow_login():
            with ImapConnection(postern.port, pki.ca_cert) as conn:
                started = time.monotonic()
                results["slow-ok"] = conn.login("alice", MAIL_USERS["alice"]).ok
                results["slow"] = time.monotonic() - started

        thread = threading.Thread(target=slow_login)
        thread.start()
        time.sleep(0.5)    # alice's IMAP login now waits on the slow server
        conn = connect(postern, "pop3s", pki.ca_cert)
        try:
            started = time.monotonic()
            assert log_in(conn, "bob", MAIL_USERS["bob"])
            fast = time.monotonic() - started
        finally:
            conn.close()
        thread.join(15)
        assert results.get("slow-ok"), results
        # Order, not timings: bob was done while alice's answer was still on its way.
        assert fast < results["slow"] - 1.0, (fast, results)


def test_local_authentication_with_radius_authorization(start_postern, radius, pki, e2e_dir):
    """The users file checks the password; the RADIUS group, asked with the username as the
    password (an authorization request), says which policy applies through Class."""
    secret = write_secret(e2e_dir / "radius-secret-authz", radius.secret)
    original = dict(radius.users)
    radius.set_users(radius_users(alice=RadiusUser("alice", (("Class", ENGINEERING_CLASS),))))
    try:
        postern = start_postern(overrides={
            "aaa-server-group": {"RAD": radius_group(secret, (radius.ports.auth, radius.ports.acct))},
            "group-policy": {"Engineering": {"simultaneous-logins": 5}},
            "imap4s": {"authorization-server-group": "RAD"},
        })
        with ImapConnection(postern.port, pki.ca_cert) as conn:
            assert conn.login("alice", MAIL_USERS["alice"]).ok
            session = postern.session_of_client(conn.local_port)
        assert postern.wait_for("auth-result", session=session)["server"] == "local"
        lookup = postern.wait_for("authorization-lookup", session=session)
        assert (lookup["result"], lookup["policy"]) == ("found", "Engineering"), lookup
        granted = postern.wait_for("authorization", session=session)
        assert (granted["policy"], granted["source"]) == ("Engineering", "radius-class"), granted
        # bob's RADIUS password is not his name: Access-Reject, so the authentication's
        # attributes (none) stand and the default policy applies.
        with ImapConnection(postern.port, pki.ca_cert) as conn:
            assert conn.login("bob", MAIL_USERS["bob"]).ok
            session = postern.session_of_client(conn.local_port)
        assert postern.wait_for("authorization-lookup", session=session)["result"] == "not-found"
        assert postern.wait_for("authorization", session=session)["policy"] == "DfltGrpPolicy"
    finally:
        radius.set_users(original)
