"""A small raw POP3 client over TLS (RFC 1939, RFC 2449 CAPA, RFC 5034 AUTH), for the exact
status lines poplib hides, hostile input, and sessions from a chosen source address; and
poplib itself, verifying the certificate like every client of the tests."""
import base64
import poplib

from .tlslines import ServerClosed, TlsLineConnection, client_context


def b64(data) -> str:
    return base64.b64encode(data.encode() if isinstance(data, str) else data).decode()


def plain_response(user: str, password: str) -> str:
    """The base64 SASL PLAIN message that authorizes `user` as itself."""
    return b64(f"\0{user}\0{password}")


class Pop3Connection(TlsLineConnection):
    def __init__(self, port: int, cafile, host: str = "127.0.0.1", source: str = None, timeout: float = 20,
                 certificate: tuple = None):
        super().__init__(port, cafile, host=host, source=source, timeout=timeout, certificate=certificate)
        self.greeting = self._read_line()

    @staticmethod
    def ok(line: bytes) -> bool:
        return line.startswith(b"+OK")

    def command(self, text: str) -> bytes:
        """Sends one command; its status line (CRLF included)."""
        self.send(text.encode() + b"\r\n")
        return self._read_line()

    def multiline(self, text: str) -> tuple:
        """(status line, the lines up to ".", un-byte-stuffed, without CRLF); no lines after -ERR."""
        status = self.command(text)
        lines = []
        if self.ok(status):
            while (line := self._read_line()) != b".\r\n":
                lines.append(line[1:-2] if line.startswith(b"..") else line[:-2])
        return status, lines

    # -- logging in -----------------------------------------------------------

    def user_pass(self, user: str, password: str) -> bytes:
        """USER then PASS; the reply to PASS (or USER's, when it refuses)."""
        reply = self.command(f"USER {user}")
        return self.command(f"PASS {password}") if self.ok(reply) else reply

    def auth_plain(self, user: str, password: str, initial_response: bool = True) -> bytes:
        if initial_response:
            return self.command(f"AUTH PLAIN {plain_response(user, password)}")
        reply = self.command("AUTH PLAIN")
        return self.command(plain_response(user, password)) if reply.startswith(b"+ ") else reply

    def auth_login(self, user: str, password: str) -> bytes:
        reply = self.command("AUTH LOGIN")
        for answer in (user, password):
            if not reply.startswith(b"+ "):
                return reply
            reply = self.command(b64(answer))
        return reply

    def begin_auth_login(self, user: str) -> None:
        """AUTH LOGIN with only the username sent: the session is "authenticating" (SPEC §4)
        while the server waits for the password."""
        assert self.command("AUTH LOGIN").startswith(b"+ ")
        assert self.command(b64(user)).startswith(b"+ ")

    # -- after login --------------------------------------------------------

    def retrieve(self, number: int = 1) -> bytes:
        """RETR: the message as it came, CRLF line ends."""
        status, lines = self.multiline(f"RETR {number}")
        assert self.ok(status), f"RETR {number}: {status!r}"
        return b"".join(line + b"\r\n" for line in lines)

    def alive(self) -> bool:
        """True when the server still answers NOOP (after login) with +OK."""
        try:
            return self.ok(self.command("NOOP"))
        except (ServerClosed, OSError):
            return False

    def quit(self) -> None:
        try:
            self.command("QUIT")
        except (ServerClosed, OSError):
            pass
        self.close()


def poplib_client(port: int, cafile, host: str = "127.0.0.1") -> poplib.POP3_SSL:
    return poplib.POP3_SSL(host, port, context=client_context(cafile), timeout=15)


def poplib_retrieve_all(pop: poplib.POP3_SSL) -> list:
    """LIST, then RETR of each message: the messages as bytes with CRLF line ends."""
    _, listing, _ = pop.list()
    messages = []
    for entry in listing:
        number = int(entry.split()[0])
        _, lines, _ = pop.retr(number)
        messages.append(b"\r\n".join(lines) + b"\r\n")
    return messages
