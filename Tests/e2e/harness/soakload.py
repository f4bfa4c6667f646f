"""The connections of a soak (issue: memory that stays flat): every kind of connection a proxy
meets, each a small function that makes one and checks what it saw, and a driver that runs
them mixed, a few dozen at a time. Used by the end-to-end soak test (which then compares
`posternctl status --json` tables) and by `make soak` / `make bench` (which compare memory).

Every kind raises on anything a correct proxy would not do; the driver counts those as failures
with the first message of each kind, so a soak that "passes" really exercised its kinds.
"""
import json
import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .imapclient import ImapConnection
from .pop3client import Pop3Connection
from .smtpclient import SmtpConnection
from .tlslines import ServerClosed, client_context


@dataclass
class SoakTarget:
    """Where the soak connects and with what. Every account has at least one message (IMAP
    FETCH and POP3 RETR read message 1); SMTP messages go to `mail_sink`."""
    cafile: str
    imap_port: int
    accounts: list                  # [(user, password)]
    admin_socket: str
    pop3_port: int = 0
    smtp_port: int = 0
    mail_sink: str = ""
    host: str = "127.0.0.1"


class SoakFailure(Exception):
    pass


def admin(socket_path: str, request: dict, timeout: float = 10) -> dict:
    """One request on postern's admin socket, as posternctl sends it; the JSON response."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        deadline = time.monotonic() + timeout
        while True:
            try:
                s.connect(str(socket_path))
                break
            except BlockingIOError:   # the listen backlog is full for a moment: try again
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
        s.sendall(json.dumps(request).encode() + b"\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return json.loads(data)


def role_tables(socket_path: str) -> dict:
    """{"listener 0": {table: count}, "authd 0": ..., "relay 1": ...} from `status`; a role that
    did not answer in time maps to None."""
    status = admin(socket_path, {"command": "status"})["status"]
    return {f"{c['role']} {c['index']}": c.get("tables") for c in status["children"]}


# Kept by design for the failed-login penalty's window, not per session: compared apart.
PENALTY_TABLES = ("penalty-addresses", "penalty-users")


def tables_of_every_role(socket_path: str, timeout: float = 15) -> dict:
    """Each role's tables, once every role answers (a role restarting answers a moment later)."""
    deadline = time.monotonic() + timeout
    while True:
        tables = role_tables(socket_path)
        if tables and all(t is not None for t in tables.values()):
            return tables
        if time.monotonic() > deadline:
            raise SoakFailure(f"a role did not report its tables: {tables}")
        time.sleep(0.2)


def per_session(tables: dict) -> dict:
    return {role: {k: v for k, v in t.items() if k not in PENALTY_TABLES} for role, t in tables.items()}


def settle(socket_path: str, before: dict, timeout: float = 30) -> tuple:
    """Waits until the per-session tables equal `before` again (closing is asynchronous: the
    last sessions may still be ending when the clients are done). Returns (tables, changes):
    changes maps role -> {table: (before, after)}, empty when they came back."""
    deadline = time.monotonic() + timeout
    while True:
        after = tables_of_every_role(socket_path)
        changes = {role: {k: (before.get(role, {}).get(k), v) for k, v in t.items() if before.get(role, {}).get(k) != v}
                   for role, t in per_session(after).items()}
        changes = {role: c for role, c in changes.items() if c}
        if not changes or time.monotonic() > deadline:
            return after, changes
        time.sleep(0.25)


# -- the kinds --------------------------------------------------------------------------------

def _account(t: SoakTarget, i: int) -> tuple:
    return t.accounts[i % len(t.accounts)]


def failing_source(i: int) -> str:
    """A loopback address of its own for the i-th failed login, so the failed-login penalty
    (per address and per user) never delays the soak's other connections."""
    h = i % 62500
    return f"127.1.{h // 250}.{h % 250 + 1}"


def tcp_close(t: SoakTarget, i: int) -> None:
    """TCP connect and close, no TLS at all."""
    socket.create_connection((t.host, t.imap_port), timeout=20).close()


def tls_no_login(t: SoakTarget, i: int) -> None:
    """TLS handshake, greeting, LOGOUT."""
    with ImapConnection(t.imap_port, t.cafile, host=t.host) as c:
        if not c.greeting.startswith(b"* OK"):
            raise SoakFailure(f"greeting {c.greeting[:60]!r}")
        if not c.command("LOGOUT").ok:
            raise SoakFailure("LOGOUT before login was not OK")


def _client_hello(host: str) -> bytes:
    """The first flight of a TLS client, as a real client would send it."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ssl.create_default_context().wrap_bio(incoming, outgoing, server_hostname=host)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def cut_handshake(t: SoakTarget, i: int) -> None:
    """Half a ClientHello, then the client goes away mid-handshake."""
    hello = _client_hello(t.host)
    with socket.create_connection((t.host, t.imap_port), timeout=20) as s:
        s.sendall(hello[:len(hello) // 2])


def failed_login(t: SoakTarget, i: int) -> None:
    """LOGIN of an unknown user (NO), then LOGOUT, from an address of its own."""
    with ImapConnection(t.imap_port, t.cafile, host=t.host, source=failing_source(i)) as c:
        reply = c.login(f"soak-nobody-{i}", "not-the-password")
        if reply.status != "NO":
            raise SoakFailure(f"a wrong password got {reply.status} {reply.text[:60]}")
        c.command("LOGOUT")


def _logged_in(t: SoakTarget, i: int) -> ImapConnection:
    c = ImapConnection(t.imap_port, t.cafile, host=t.host)
    user, password = _account(t, i)
    reply = c.login(user, password)
    if not reply.ok:
        c.close()
        raise SoakFailure(f"LOGIN {user}: {reply.status} {reply.text[:80]}")
    return c


def login_fetch(t: SoakTarget, i: int) -> None:
    """Full login, SELECT, FETCH of message 1, LOGOUT."""
    c = _logged_in(t, i)
    try:
        if not c.command("SELECT INBOX").ok:
            raise SoakFailure("SELECT INBOX")
        fetch = c.command("FETCH 1 (BODY.PEEK[])")
        if not fetch.ok or not fetch.data():
            raise SoakFailure(f"FETCH 1: {fetch.status} {fetch.text[:60]}")
        c.logout()
    finally:
        c.close()


def idle_dropped(t: SoakTarget, i: int) -> None:
    """IMAP IDLE held, then the client drops the connection without DONE or LOGOUT."""
    c = _logged_in(t, i)
    try:
        if not c.command("SELECT INBOX").ok:
            raise SoakFailure("SELECT INBOX")
        c.send(b"idle1 IDLE\r\n")
        line = c.line(timeout=10)
        if not line.startswith(b"+"):
            raise SoakFailure(f"IDLE: {line[:60]!r}")
    finally:
        c.close()


def killed_by_admin(t: SoakTarget, i: int) -> None:
    """A logged-in session that the administrator ends with `posternctl kill`."""
    c = _logged_in(t, i)
    try:
        sessions = admin(t.admin_socket, {"command": "sessions"})["sessions"]
        # A client port is unique per server port only (a POP3 or SMTP session may have the same
        # one), and an older session from it may still be closing: the youngest IMAP one.
        mine = sorted((s for s in sessions if s["clientPort"] == c.local_port and s["proto"] == "imap4s"
                       and s["state"] == "authenticated"), key=lambda s: s["ageSeconds"])
        if not mine:
            raise SoakFailure(f"no session for client port {c.local_port} in posternctl sessions")
        if not admin(t.admin_socket, {"command": "kill", "session": mine[0]["id"]})["ok"]:
            raise SoakFailure(f"kill {mine[0]['id']} was refused")
        if not c.closed_by_server(10):
            raise SoakFailure("the killed session stayed open")
    finally:
        c.close()


def pop3_retr(t: SoakTarget, i: int) -> None:
    """POP3S: USER/PASS, RETR 1, QUIT."""
    with Pop3Connection(t.pop3_port, t.cafile, host=t.host) as c:
        user, password = _account(t, i)
        reply = c.user_pass(user, password)
        if not c.ok(reply):
            raise SoakFailure(f"POP3 login {user}: {reply[:80]!r}")
        if not c.retrieve(1):
            raise SoakFailure("RETR 1 was empty")
        c.quit()


def smtp_message(t: SoakTarget, i: int) -> None:
    """SMTPS: EHLO, AUTH PLAIN, one message, QUIT."""
    with SmtpConnection(t.smtp_port, t.cafile, host=t.host) as c:
        c.ehlo()
        user, password = _account(t, i)
        reply = c.auth_plain(user, password)
        if reply.code != 235:
            raise SoakFailure(f"AUTH {user}: {reply}")
        message = (f"From: <{user}@example.org>\r\nTo: <{t.mail_sink}>\r\nSubject: soak {i}\r\n\r\n"
                   f"message {i} of the soak\r\n").encode()
        reply = c.send_mail(f"{user}@example.org", t.mail_sink, message)
        if reply.code != 250:
            raise SoakFailure(f"message: {reply}")
        c.quit()


KINDS = {
    "tcp-close": tcp_close,
    "tls-no-login": tls_no_login,
    "cut-handshake": cut_handshake,
    "failed-login": failed_login,
    "login-fetch": login_fetch,
    "idle-dropped": idle_dropped,
    "killed": killed_by_admin,
    "pop3-retr": pop3_retr,
    "smtp-message": smtp_message,
}


def available_kinds(t: SoakTarget) -> list:
    """The kinds the target can take (POP3 and SMTP only with their ports)."""
    skip = set()
    if not t.pop3_port:
        skip.add("pop3-retr")
    if not (t.smtp_port and t.mail_sink):
        skip.add("smtp-message")
    return [k for k in KINDS if k not in skip]


# -- the driver -------------------------------------------------------------------------------

@dataclass
class SoakResult:
    done: dict = field(default_factory=dict)        # kind -> connections that went as expected
    failed: dict = field(default_factory=dict)      # kind -> connections that did not
    first_failure: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.done.values()) + sum(self.failed.values())

    @property
    def failures(self) -> int:
        return sum(self.failed.values())

    def summary(self) -> str:
        parts = [f"{k} {self.done.get(k, 0)}" + (f" ({self.failed[k]} failed: {self.first_failure[k]})"
                                                 if self.failed.get(k) else "")
                 for k in sorted(set(self.done) | set(self.failed))]
        return ", ".join(parts)


class Soak:
    """Runs kinds mixed (one of each in turn), `concurrency` at a time. Indices keep growing
    across runs of one Soak, so usernames and source addresses of failed logins stay fresh."""

    def __init__(self, target: SoakTarget, concurrency: int = 32):
        self.target = target
        self.concurrency = concurrency
        self.next_index = 0
        self.lock = threading.Lock()

    def run(self, per_kind: int, kinds: list = None) -> SoakResult:
        kinds = kinds or available_kinds(self.target)
        start = self.next_index
        self.next_index += per_kind * len(kinds)
        jobs = [(kind, start + n * len(kinds) + k) for n in range(per_kind) for k, kind in enumerate(kinds)]
        result = SoakResult()

        def one(job):
            kind, i = job
            try:
                KINDS[kind](self.target, i)
                return kind, None
            except (OSError, ServerClosed, SoakFailure, ssl.SSLError, AssertionError, KeyError) as e:
                return kind, f"{type(e).__name__}: {e}"

        with ThreadPoolExecutor(self.concurrency) as pool:
            for kind, error in pool.map(one, jobs):
                if error is None:
                    result.done[kind] = result.done.get(kind, 0) + 1
                else:
                    result.failed[kind] = result.failed.get(kind, 0) + 1
                    result.first_failure.setdefault(kind, error)
        return result
