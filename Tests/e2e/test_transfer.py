"""Bytes through the relay under pressure: many sessions opening and closing, and a large
message read slowly, so the splice pump and the IPC channels block and wait to write."""
import time

from harness.accounts import MAIL_USERS
from harness.imapclient import ImapConnection


def test_many_sessions_come_and_go_without_harm(start_postern, pki):
    postern = start_postern(overrides={"group-policy": {"DfltGrpPolicy": {"simultaneous-logins": 50}}})
    for _ in range(5):
        conns = []
        for _ in range(20):
            c = ImapConnection(postern.port, pki.ca_cert)
            assert c.login("bob", MAIL_USERS["bob"]).ok
            conns.append(c)
        for c in conns:
            c.send(b"x LOGOUT\r\n")
        for c in conns:
            c.close()
    time.sleep(1)
    assert not postern.find("child-died"), postern.find("child-died")
    assert len(postern.find("session-closed")) >= 100


def test_a_large_message_read_slowly_arrives_whole(postern, dovecot, pki):
    """4 MiB from the mail host, read in small bites with pauses: the relay's pump has to wait
    for the listener, and the listener for the client, many times."""
    body = b"".join(b"line %06d of a large message through postern\r\n" % i for i in range(80000))
    message = b"From: big@example.org\r\nTo: dave@example.org\r\nSubject: large\r\n\r\n" + body
    dovecot.deliver("dave", message)
    conn = ImapConnection(postern.port, pki.ca_cert)
    try:
        assert conn.login("dave", MAIL_USERS["dave"]).ok
        assert conn.command("SELECT INBOX").ok
        conn.send(b"big FETCH * BODY.PEEK[TEXT]\r\n")
        received = bytearray()
        deadline = time.monotonic() + 60
        while b"big OK" not in received[-200:] and time.monotonic() < deadline:
            chunk = conn.sock.recv(4096)
            if not chunk:
                break
            received += chunk
            if len(received) % (256 * 1024) < 4096:
                time.sleep(0.05)
        assert body in bytes(received), f"got {len(received)} bytes"
        assert conn.command("NOOP").ok
    finally:
        conn.close()
    closed = postern.wait_for("session-closed", session=postern.session_of_client(conn.local_port))
    assert int(closed["bytes-out"]) > len(body)
    assert not postern.find("child-died")
