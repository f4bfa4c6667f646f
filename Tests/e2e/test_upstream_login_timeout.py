"""A relay whose login to the mail host times out (a host that accepts and never greets) closes
its connection to that host: the refusal ends the attempt on both sides, nothing is left open."""
import select
import socket
import threading
import time

from harness.accounts import MAIL_USERS
from harness.imapclient import ImapConnection


class SilentHost:
    """Accepts TCP connections and never sends a byte; notes when each is closed by the peer."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.accepted = []
        self.closed = []
        self.stopping = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stopping:
            ready, _, _ = select.select([self.listener, *self.accepted], [], [], 0.1)
            for sock in ready:
                if sock is self.listener:
                    self.accepted.append(self.listener.accept()[0])
                elif sock not in self.closed:
                    try:
                        if sock.recv(4096) == b"":
                            self.closed.append(sock)
                    except OSError:
                        self.closed.append(sock)

    def stop(self):
        self.stopping = True
        self.thread.join(2)
        for sock in [self.listener, *self.accepted]:
            sock.close()


def test_a_login_that_times_out_closes_the_mail_host_connection(start_postern, pki):
    host = SilentHost()
    try:
        postern = start_postern(server=f"127.0.0.1:{host.port}", allowed_servers=[],
                                overrides={"limits": {"authentication-timeout": "2s"}})
        with ImapConnection(postern.port, pki.ca_cert, timeout=30) as conn:
            reply = conn.login("alice", MAIL_USERS["alice"])
            assert reply.status == "NO", reply
            # The client stays: what closes the mail host's side is the timeout alone.
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not (host.accepted and len(host.closed) == len(host.accepted)):
                time.sleep(0.1)
            assert host.accepted, "the relay never connected"
            assert len(host.closed) == len(host.accepted), \
                f"{len(host.accepted) - len(host.closed)} connection(s) to the mail host left open after the timeout"
            assert conn.alive(), "the client's session ended with its login"
    finally:
        host.stop()
