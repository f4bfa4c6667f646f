"""An IMAP client that sends what it is told, byte for byte, and reads the server's answer
line by line with a deadline: for hostile input, where ImapConnection.command() would
expect a well-behaved dialogue."""
import socket

from .imapclient import ImapClosed, ImapConnection, client_context


class ProbeConnection(ImapConnection):
    def __init__(self, port: int, cafile, host: str = "127.0.0.1", source: str = None,
                 timeout: float = 20):
        """`source`: the local address to connect from (any of 127.0.0.0/8 reaches loopback)."""
        raw = socket.create_connection((host, port), timeout=timeout,
                                       source_address=(source, 0) if source else None)
        self.local_port = raw.getsockname()[1]
        self.sock = client_context(cafile).wrap_socket(raw, server_hostname=host)
        self.default_timeout = timeout
        self.buffer = b""
        self.tag_number = 0
        self.greeting = self._read_line()

    def line(self, timeout: float = 5) -> bytes:
        """The next response line (CRLF included). ImapClosed when the server closes first,
        TimeoutError when nothing complete arrives within `timeout`."""
        self.sock.settimeout(timeout)
        try:
            return self._read_line()
        finally:
            self.sock.settimeout(self.default_timeout)

    def lines(self, count: int, timeout: float = 10) -> list:
        """Up to `count` lines; fewer when the server closes after them."""
        got = []
        try:
            while len(got) < count:
                got.append(self.line(timeout))
        except ImapClosed:
            pass
        return got

    def send_quietly(self, data: bytes) -> bool:
        """Sends `data`; False when the server has closed the connection (reset, broken pipe,
        TLS EOF), which is what a refused client should expect."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def replies_until_closed(self, timeout: float) -> tuple:
        """(closed, lines): whether the server closed within `timeout`, and every complete
        line it sent before that (the unread buffer included)."""
        closed = self.closed_by_server(timeout)
        complete, separator, rest = self.buffer.rpartition(b"\r\n")
        if not separator:
            return closed, []
        self.buffer = rest
        return closed, [line + b"\r\n" for line in complete.split(b"\r\n")]
