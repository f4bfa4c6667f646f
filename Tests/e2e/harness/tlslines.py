"""A TLS client connection that reads CRLF-terminated lines with deadlines and notices when
the server closes: what the IMAP, POP3 and SMTP clients of the tests have in common."""
import functools
import select
import socket
import ssl
import time


def client_context(cafile, certificate: tuple = None) -> ssl.SSLContext:
    """Verifies the server against `cafile` only (hostname/IP included); with `certificate`
    (chain file, key file), presents it when asked. One context per CA file and certificate,
    shared: loading the CA for every connection would cost a soak more than the proxy."""
    return _context(str(cafile), tuple(str(p) for p in certificate) if certificate else None)


@functools.lru_cache(maxsize=16)
def _context(cafile: str, certificate: tuple) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=cafile)
    if certificate:
        context.load_cert_chain(*certificate)
    return context


class ServerClosed(Exception):
    """The server closed the connection (EOF, reset, TLS close) before a complete line."""


class TlsLineConnection:
    def __init__(self, port: int, cafile, host: str = "127.0.0.1", source: str = None,
                 timeout: float = 20, certificate: tuple = None):
        """`source`: the local address to connect from (any of 127.0.0.0/8 reaches loopback);
        `certificate`: (chain file, key file) a client certificate to present."""
        raw = socket.create_connection((host, port), timeout=timeout,
                                       source_address=(source, 0) if source else None)
        self.local_port = raw.getsockname()[1]
        self.sock = client_context(cafile, certificate).wrap_socket(raw, server_hostname=host)
        self.default_timeout = timeout
        self.buffer = b""

    # -- reading ------------------------------------------------------------

    def _fill(self) -> None:
        try:
            chunk = self.sock.recv(65536)
        except (ssl.SSLEOFError, ConnectionResetError, BrokenPipeError) as e:
            raise ServerClosed(str(e)) from e
        if not chunk:
            raise ServerClosed("EOF")
        self.buffer += chunk

    def _read_line(self) -> bytes:
        """One line, CRLF included."""
        while b"\r\n" not in self.buffer:
            self._fill()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line + b"\r\n"

    def line(self, timeout: float = 5) -> bytes:
        """The next response line (CRLF included). ServerClosed when the server closes first,
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
        except ServerClosed:
            pass
        return got

    # -- writing ------------------------------------------------------------

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send_quietly(self, data: bytes) -> bool:
        """Sends `data`; False when the server has closed the connection (reset, broken pipe,
        TLS EOF), which is what a refused client should expect."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    # -- liveness -----------------------------------------------------------

    def closed_by_server(self, timeout: float) -> bool:
        """True when the server closes the connection within `timeout` (data before the close,
        such as a BYE, is kept in the buffer)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if not self.sock.pending():
                readable, _, _ = select.select([self.sock], [], [], remaining)
                if not readable:
                    return False
            # Readable may mean only a TLS record with no data (a TLS 1.3 session ticket):
            # bound the read by the time left.
            saved = self.sock.gettimeout()
            self.sock.settimeout(max(remaining, 0.01))
            try:
                chunk = self.sock.recv(65536)
            except (ssl.SSLEOFError, ConnectionResetError, BrokenPipeError, ssl.SSLZeroReturnError):
                return True
            except (TimeoutError, ssl.SSLWantReadError):
                continue
            finally:
                self.sock.settimeout(saved)
            if not chunk:
                return True
            self.buffer += chunk

    def replies_until_closed(self, timeout: float) -> tuple:
        """(closed, lines): whether the server closed within `timeout`, and every complete
        line it sent before that (the unread buffer included)."""
        closed = self.closed_by_server(timeout)
        complete, separator, rest = self.buffer.rpartition(b"\r\n")
        if not separator:
            return closed, []
        self.buffer = rest
        return closed, [line + b"\r\n" for line in complete.split(b"\r\n")]

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
