"""A small raw IMAP client over TLS, for assertions imaplib makes awkward: the exact
tagged status (OK/NO/BAD), many concurrent sessions, and noticing when the server closes."""
import base64
import time
from dataclasses import dataclass, field

from .tlslines import ServerClosed, TlsLineConnection


def quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class Reply:
    status: str                 # OK, NO or BAD
    text: str                   # the rest of the tagged line
    untagged: list = field(default_factory=list)   # raw lines (bytes, literals inlined)

    @property
    def ok(self) -> bool:
        return self.status == "OK"

    def data(self) -> bytes:
        return b"".join(self.untagged)


ImapClosed = ServerClosed


class ImapConnection(TlsLineConnection):
    def __init__(self, port: int, cafile, host: str = "127.0.0.1", source: str = None, timeout: float = 20,
                 certificate: tuple = None):
        super().__init__(port, cafile, host=host, source=source, timeout=timeout, certificate=certificate)
        self.tag_number = 0
        self.greeting = self._read_line()

    def _read_line(self) -> bytes:
        """One response line with any literals ({n}) inlined."""
        line = b""
        while True:
            while b"\r\n" not in self.buffer:
                self._fill()
            part, self.buffer = self.buffer.split(b"\r\n", 1)
            line += part + b"\r\n"
            if part.endswith(b"}") and b"{" in part:
                size = int(part[part.rindex(b"{") + 1:-1].rstrip(b"+"))
                while len(self.buffer) < size:
                    self._fill()
                line += self.buffer[:size]
                self.buffer = self.buffer[size:]
                continue
            return line

    # -- commands -----------------------------------------------------------

    def _next_tag(self) -> str:
        self.tag_number += 1
        return f"t{self.tag_number}"

    def command(self, text: str, continuations=()) -> Reply:
        """Sends `TAG text`; answers each `+` continuation with the next item of `continuations`."""
        tag = self._next_tag()
        self.send(f"{tag} {text}\r\n".encode())
        pending = list(continuations)
        untagged = []
        while True:
            line = self._read_line()
            if line.startswith(b"+"):
                answer = pending.pop(0) if pending else "*"
                self.send(answer.encode() + b"\r\n")
                continue
            if line.startswith(tag.encode() + b" "):
                status, _, rest = line[len(tag) + 1:].decode(errors="replace").strip().partition(" ")
                return Reply(status.upper(), rest, untagged)
            untagged.append(line)

    def login(self, user: str, password: str) -> Reply:
        return self.command(f"LOGIN {quote(user)} {quote(password)}")

    def authenticate_plain(self, user: str, password: str, initial_response: bool = True) -> Reply:
        payload = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
        if initial_response:
            return self.command(f"AUTHENTICATE PLAIN {payload}")
        return self.command("AUTHENTICATE PLAIN", [payload])

    def authenticate_login(self, user: str, password: str) -> Reply:
        b64 = lambda s: base64.b64encode(s.encode()).decode()
        return self.command("AUTHENTICATE LOGIN", [b64(user), b64(password)])

    def begin_authenticate_login(self, user: str) -> None:
        """Starts AUTHENTICATE LOGIN and sends only the username, leaving the session
        "authenticating" (SPEC §4) while the server waits for the password."""
        tag = self._next_tag()
        self.send(f"{tag} AUTHENTICATE LOGIN\r\n".encode())
        line = self._read_line()
        assert line.startswith(b"+"), line
        self.send(base64.b64encode(user.encode()) + b"\r\n")
        line = self._read_line()
        assert line.startswith(b"+"), line

    def first_message(self) -> bytes:
        """SELECT INBOX, then UID FETCH 1 BODY[]; the response bytes (the message inlined)."""
        select_reply = self.command("SELECT INBOX")
        assert select_reply.ok, f"SELECT INBOX: {select_reply}"
        fetch = self.command("UID FETCH 1 (BODY[])")
        assert fetch.ok, f"UID FETCH 1: {fetch}"
        return fetch.data()

    def logout(self) -> None:
        try:
            self.command("LOGOUT")
        except ImapClosed:
            pass
        self.close()

    # -- liveness -----------------------------------------------------------

    def alive(self) -> bool:
        """True when a NOOP still gets OK."""
        try:
            return self.command("NOOP").ok
        except (ImapClosed, OSError):
            return False


def login_eventually(port: int, cafile, user: str, password: str, timeout: float) -> ImapConnection:
    """A new session that logs in, retried for `timeout` seconds: for the moments after a role
    restarts or a session ends, when a refusal may still be in flight."""
    deadline = time.monotonic() + timeout
    while True:
        conn = ImapConnection(port, cafile)
        if conn.login(user, password).ok:
            return conn
        conn.close()
        assert time.monotonic() < deadline, f"{user} could not log in within {timeout}s"
        time.sleep(0.2)
