"""Loads that attack the pre-auth limits (SPEC §4): a flood of plain TCP connections that never
speak TLS, and logins that fail and are held open."""
import socket
import struct
import threading
import time

from .accounts import WRONG_PASSWORD
from .imapclient import ImapConnection
from .tlslines import ServerClosed


class PlainFlood:
    """Plain TCP connections from `sources` in turn, as fast as one thread makes them; at most
    `hold` kept open at once (the oldest closed first), the rest left to the server."""

    def __init__(self, port: int, sources: list, host: str = "127.0.0.1", hold: int = 800):
        self.port, self.sources, self.host, self.hold = port, list(sources), host, hold
        self.made = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="plain-flood")

    def _run(self):
        held = []
        while not self._stop.is_set():
            s = socket.socket()
            # Closed with a reset, not a FIN: thousands of TIME_WAIT entries would take the
            # loopback ports every later test binds.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            try:
                s.bind((self.sources[self.made % len(self.sources)], 0))
                s.connect((self.host, self.port))
            except OSError:
                s.close()
                time.sleep(0.01)
                continue
            self.made += 1
            held.append(s)
            if len(held) > self.hold:
                held.pop(0).close()
        for s in held:
            s.close()

    def __enter__(self) -> "PlainFlood":
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(10)


def held_failed_logins(port: int, cafile, source: str, count: int, host: str = "127.0.0.1",
                       user: str = "bob") -> list:
    """`count` connections from `source`, each with a wrong LOGIN sent and left open (the
    session stays authenticating); some may be closed by the server's own limits."""
    held = []

    def one():
        try:
            conn = ImapConnection(port, cafile, host=host, source=source)
            held.append(conn)
            conn.send(f'h LOGIN {user} "{WRONG_PASSWORD}"\r\n'.encode())
        except (OSError, ServerClosed):
            pass    # past its address's cap, the address's own oldest session is closed
    threads = [threading.Thread(target=one) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return held
