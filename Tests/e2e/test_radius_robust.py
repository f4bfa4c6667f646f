"""RADIUS robustness (SPEC §2, §3): a FreeRADIUS that does not sign its replies, the
`require-message-authenticator` key that decides about it, a server marked dead only after
several unanswered requests, and an empty VPN user that never reaches the server."""
import time

import pytest

from harness.accounts import MAIL_USERS
from harness.imapclient import ImapConnection
from harness.posternctl import posternctl
from harness.radius import Radius, radius_group
from harness.radiusfakes import SilentUdpPort
from harness.secretfiles import write_secret


@pytest.fixture(scope="module")
def unsigned_radius(e2e_dir):
    """FreeRADIUS 3.2.1 as Debian ships it: no Message-Authenticator in its replies."""
    import os
    if os.geteuid() != 0:
        pytest.skip("the test FreeRADIUS needs root (it drops to freerad)")
    server = Radius(e2e_dir / "radius-unsigned", sign_replies=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_unsigned_replies_are_accepted_when_the_group_allows_it_and_each_load_warns(
        start_postern, unsigned_radius, pki, e2e_dir):
    secret = write_secret(e2e_dir / "radius-secret-unsigned-1", unsigned_radius.secret)
    group = radius_group(secret, (unsigned_radius.ports.auth, unsigned_radius.ports.acct))
    group["require-message-authenticator"] = False
    postern = start_postern(overrides={
        "aaa-server-group": {"RAD": group},
        "imap4s": {"authentication-server-group": "RAD"},
    })
    warning = postern.wait_for("radius-unsigned-accepted")
    assert warning["group"] == "RAD" and "require-message-authenticator" in warning["note"], warning
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.login("alice", MAIL_USERS["alice"]).ok
        session = postern.session_of_client(conn.local_port)
    assert postern.wait_for("auth-result", session=session)["result"] == "success"
    # The Response Authenticator is still checked: a wrong password is a plain refusal.
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.login("bob", "not-" + MAIL_USERS["bob"]).status == "NO"
        session = postern.session_of_client(conn.local_port)
    assert postern.wait_for("auth-result", session=session)["result"] == "failure"

    since = postern.mark()
    assert posternctl(postern, "reload").returncode == 0
    postern.wait_for("config-reloaded", since=since)
    assert postern.wait_for("radius-unsigned-accepted", since=since)["group"] == "RAD"


def test_an_unsigned_reply_is_refused_by_default_and_says_which_key(start_postern, unsigned_radius, pki, e2e_dir):
    secret = write_secret(e2e_dir / "radius-secret-unsigned-2", unsigned_radius.secret)
    postern = start_postern(overrides={
        "aaa-server-group": {"RAD": radius_group(secret, (unsigned_radius.ports.auth, unsigned_radius.ports.acct))},
        "imap4s": {"authentication-server-group": "RAD"},
    })
    for _ in range(3):     # as many as it takes to kill a silent server: this one answered
        with ImapConnection(postern.port, pki.ca_cert) as conn:
            reply = conn.login("alice", MAIL_USERS["alice"])
            assert reply.status == "NO" and "[UNAVAILABLE]" in reply.text, reply
            session = postern.session_of_client(conn.local_port)
        result = postern.wait_for("auth-result", session=session)
        assert result["result"] == "temporary-failure", result
        reason = result["reason"]
        assert f"127.0.0.1:{unsigned_radius.ports.auth}" in reason, reason
        assert "no Message-Authenticator" in reason, reason
        assert "require-message-authenticator = false" in reason and "group RAD" in reason, reason
        assert "answered" not in reason, reason
    assert postern.find("server-dead") == []
    assert postern.find("radius-unsigned-accepted") == []


def test_one_unanswered_request_does_not_make_a_server_dead(start_postern, radius, pki, e2e_dir):
    secret = write_secret(e2e_dir / "radius-secret-robust-3", radius.secret)
    with SilentUdpPort() as silent:
        postern = start_postern(overrides={
            "aaa-server-group": {"RAD": radius_group(secret, (silent.port, silent.port + 1),
                                                     (radius.ports.auth, radius.ports.acct))},
            "imap4s": {"authentication-server-group": "RAD"},
        })
        with ImapConnection(postern.port, pki.ca_cert) as conn:
            assert conn.login("alice", MAIL_USERS["alice"]).ok
        assert silent.received == 2, "1 send + 1 retry"
        time.sleep(0.5)
        assert postern.find("server-dead") == []
        # Still alive: the next login asks it again before it passes on.
        with ImapConnection(postern.port, pki.ca_cert) as conn:
            assert conn.login("bob", MAIL_USERS["bob"]).ok
        assert silent.received == 4
        assert postern.find("server-dead") == []


def test_an_empty_vpn_user_never_reaches_the_radius_server(start_postern, radius, pki, e2e_dir):
    secret = write_secret(e2e_dir / "radius-secret-robust-4", radius.secret)
    postern = start_postern(overrides={
        "aaa-server-group": {"RAD": radius_group(secret, (radius.ports.auth, radius.ports.acct))},
        "imap4s": {"authentication-server-group": "RAD"},
    })
    since = radius.log_offset()
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        reply = conn.login(":bob", MAIL_USERS["bob"])
        assert reply.status == "NO", reply
        session = postern.session_of_client(conn.local_port)
    result = postern.wait_for("auth-result", session=session)
    assert result["result"] == "failure" and "empty VPN user" in result["reason"], result
    time.sleep(0.3)
    # FreeRADIUS logs every request it decides ("Login OK", "Login incorrect", "Invalid user").
    assert "(from client" not in radius.log_text()[since:], radius.log_text()[since:]


def test_a_dead_server_that_answers_status_server_is_back_before_its_dead_time(start_postern, pki, e2e_dir):
    """A FreeRADIUS that is stopped (its port refuses) is dead after 3 unanswered logins; once it
    runs again it answers the Status-Server probes (RFC 5997), and is used again long before its
    60 s dead-time ends."""
    import os
    from harness.radius import RadiusPorts, free_udp_ports
    if os.geteuid() != 0:
        pytest.skip("the test FreeRADIUS needs root (it drops to freerad)")
    server = Radius(e2e_dir / "radius-probed", ports=RadiusPorts(*free_udp_ports(2)))
    server.write_files()
    secret = write_secret(e2e_dir / "radius-secret-robust-5", server.secret)
    postern = start_postern(overrides={
        "aaa-server-group": {"RAD": radius_group(secret, (server.ports.auth, server.ports.acct), retries=0)},
        "imap4s": {"authentication-server-group": "RAD"},
    })
    try:
        for login in range(3):
            with ImapConnection(postern.port, pki.ca_cert) as conn:
                reply = conn.login("alice", MAIL_USERS["alice"])
                assert reply.status == "NO" and "[UNAVAILABLE]" in reply.text, (login, reply)
        dead = postern.wait_for("server-dead")
        assert dead["name"] == f"127.0.0.1:{server.ports.auth}", dead
        started = time.monotonic()
        server.start()
        alive = postern.wait_for("server-alive", timeout=10)
        assert alive["name"] == dead["name"], alive
        assert time.monotonic() - started < 10, "back by a probe, not by the end of the 60 s dead-time"
        with ImapConnection(postern.port, pki.ca_cert) as conn:
            assert conn.login("alice", MAIL_USERS["alice"]).ok
    finally:
        server.stop()
