"""Reload (SPEC §2): a good file applies to new sessions while established ones go on; a bad
one is refused and the old configuration keeps serving."""
import os
import signal

from harness import tomlwriter
from harness.accounts import MAIL_USERS
from harness.imapclient import ImapConnection, login_eventually
from harness.ports import free_port
from harness.posternctl import posternctl


def rewrite(postern, **overrides):
    postern.overrides = tomlwriter.merged(postern.overrides, overrides)
    postern.config_path.write_text(tomlwriter.dumps(postern.config()))


def pop3s_section(port, dovecot):
    return {"enable": ["outside"], "port": port, "server": f"127.0.0.1:{dovecot.ports.pop3}",
            "authentication": ["aaa"], "authentication-server-group": "LOCAL",
            "default-group-policy": "DfltGrpPolicy"}


def pop3s_login(port, pki, user):
    import poplib
    import ssl
    client = poplib.POP3_SSL("127.0.0.1", port, context=ssl.create_default_context(cafile=str(pki.ca_cert)))
    client.user(user)
    reply = client.pass_(MAIL_USERS[user])
    client.quit()
    return reply


def test_an_imap_session_survives_a_reload_that_moves_pop3s_and_adds_a_policy(start_postern, dovecot, pki):
    pop3_port = free_port()
    postern = start_postern(overrides={"pop3s": pop3s_section(pop3_port, dovecot)})
    session = ImapConnection(postern.port, pki.ca_cert)
    assert session.login("alice", MAIL_USERS["alice"]).ok
    try:
        assert pop3s_login(pop3_port, pki, "bob").startswith(b"+OK")
        new_pop3_port = free_port()
        mark = postern.mark()
        rewrite(postern, **{"pop3s": {"port": new_pop3_port},
                            "group-policy": {"Engineering": {"simultaneous-logins": 1}}})
        assert posternctl(postern, "reload").returncode == 0
        postern.wait_for("listener-ready", since=mark, generation="2")
        assert session.command("NOOP").ok
        assert dovecot.tokens["alice"].encode() in session.first_message()
        assert pop3s_login(new_pop3_port, pki, "bob").startswith(b"+OK")
        import socket
        probe = socket.socket()
        assert probe.connect_ex(("127.0.0.1", pop3_port)) != 0, "the old POP3S port still accepts"
        probe.close()
        assert not postern.find("child-died")
    finally:
        session.close()


def test_a_session_survives_a_reload_that_moves_the_port_and_adds_a_policy(start_postern, dovecot, pki):
    # carol's users-file column names Engineering, which exists only after the reload.
    postern = start_postern(policies={"carol": "Engineering"})
    before = ImapConnection(postern.port, pki.ca_cert)
    assert before.login("carol", MAIL_USERS["carol"]).ok
    assert postern.wait_for("authorization", policy="DfltGrpPolicy", **{"vpn-user": "carol"})
    before.close()
    session = ImapConnection(postern.port, pki.ca_cert)
    assert session.login("alice", MAIL_USERS["alice"]).ok
    try:
        old_port = postern.port
        new_port = free_port()
        mark = postern.mark()
        rewrite(postern, **{"imap4s": {"port": new_port},
                            "group-policy": {"Engineering": {"simultaneous-logins": 1}}})
        postern.port = new_port
        result = posternctl(postern, "reload")
        assert result.returncode == 0, result.stderr
        reloaded = postern.wait_for("config-reloaded", since=mark)
        assert reloaded["generation"] == "2"
        postern.wait_for("listener-ready", since=mark, generation="2")

        # The established session, whose listening socket is gone, goes on.
        assert session.command("NOOP").ok
        assert dovecot.tokens["alice"].encode() in session.first_message()
        # New sessions use the new port; the old one is closed.
        login_eventually(new_port, pki.ca_cert, "bob", MAIL_USERS["bob"], timeout=10).logout()
        # The new group policy applies to new sessions.
        carol = login_eventually(new_port, pki.ca_cert, "carol", MAIL_USERS["carol"], timeout=10)
        granted = postern.wait_for("authorization", since=mark, **{"vpn-user": "carol"})
        assert granted["policy"] == "Engineering" and granted["source"] == "local-file", granted
        carol.logout()
        import socket
        probe = socket.socket()
        assert probe.connect_ex(("127.0.0.1", old_port)) != 0, "the old port still accepts"
        probe.close()
        status = posternctl(postern, "status", json_output=True).json["status"]
        assert status["generation"] == 2 and status["endpoints"][0]["port"] == new_port
        assert not postern.find("child-died")
    finally:
        session.close()


def test_a_broken_file_is_refused_and_the_old_configuration_keeps_serving(postern, pki):
    session = ImapConnection(postern.port, pki.ca_cert)
    assert session.login("alice", MAIL_USERS["alice"]).ok
    try:
        good = postern.config_path.read_text()
        postern.config_path.write_text(good + "\n[imap4s.nonsense\n")
        mark = postern.mark()
        os.kill(postern.process.pid, signal.SIGHUP)
        rejected = postern.wait_for("config-rejected", since=mark)
        assert "postern.toml" in rejected["error"] and rejected["kept-generation"] == "1"

        postern.config_path.write_text(good.replace("[imap4s]", "[imap4s]\nno-such-key = 1"))
        refused = posternctl(postern, "reload")
        assert refused.returncode == 2 and "no-such-key" in refused.stderr, refused

        assert session.command("NOOP").ok
        login_eventually(postern.port, pki.ca_cert, "bob", MAIL_USERS["bob"], timeout=10).logout()
        assert not postern.find("config-reloaded")
    finally:
        session.close()
