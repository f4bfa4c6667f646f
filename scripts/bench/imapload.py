"""A lean IMAPS client for loading a proxy: full logins, idle sessions held open, greeting
times and bulk FETCHes. Blocking sockets, TLS 1.3 only, no more parsing than each figure needs.

Functions meant for worker processes take plain arguments (a CA file rather than an SSL
context) so that they can run under multiprocessing.
"""
import select
import socket
import ssl
import time


class ImapFailure(Exception):
    pass


def client_context(cafile) -> ssl.SSLContext:
    """Verifies the server against `cafile`; TLS 1.3, as SPEC §9 measures."""
    context = ssl.create_default_context(cafile=str(cafile))
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    return context


class Session:
    def __init__(self, host: str, port: int, context: ssl.SSLContext, timeout: float = 30):
        raw = socket.create_connection((host, port), timeout=timeout)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.sock = context.wrap_socket(raw, server_hostname=host)
        except BaseException:
            raw.close()
            raise
        self.buffer = bytearray()
        self.tags = 0
        self.greeting = self.read_line()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ImapFailure("the server closed the connection")
        self.buffer += chunk

    def read_line(self) -> bytes:
        while True:
            end = self.buffer.find(b"\r\n")
            if end >= 0:
                line = bytes(self.buffer[:end])
                del self.buffer[:end + 2]
                return line
            self._fill()

    def command(self, text: str) -> bytes:
        """Sends one command; returns its tagged reply line (untagged lines are skipped)."""
        self.tags += 1
        tag = f"b{self.tags}".encode()
        self.sock.sendall(tag + b" " + text.encode() + b"\r\n")
        while True:
            line = self.read_line()
            if line.startswith(tag + b" "):
                return line

    def login(self, user: str, password: str) -> None:
        reply = self.command(f'LOGIN "{user}" "{password}"')
        if not reply.split(b" ", 2)[1:2] == [b"OK"]:
            raise ImapFailure(f"LOGIN {user}: {reply[:120]!r}")

    def logout(self) -> None:
        self.command("LOGOUT")
        self.close()

    def fetch_discarding(self, sequence: int) -> int:
        """FETCH `sequence` BODY.PEEK[] and throw the bytes away as they come; returns the
        number of bytes the server sent for it (literal and response lines)."""
        self.tags += 1
        tag = f"b{self.tags}".encode()
        self.sock.sendall(tag + b" FETCH %d BODY.PEEK[]\r\n" % sequence)
        received = 0
        chunk = bytearray(1 << 18)
        view = memoryview(chunk)
        while True:
            end = self.buffer.find(b"\r\n")
            if end < 0:
                n = self.sock.recv_into(view)
                if n == 0:
                    raise ImapFailure("the server closed the connection during FETCH")
                received += n
                self.buffer += view[:n]
                continue
            line = bytes(self.buffer[:end])
            del self.buffer[:end + 2]
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    raise ImapFailure(f"FETCH: {line[:120]!r}")
                return received
            if line.endswith(b"}") and b"{" in line:
                size = int(line[line.rindex(b"{") + 1:-1])
                if size <= len(self.buffer):
                    del self.buffer[:size]
                    continue
                left = size - len(self.buffer)
                self.buffer.clear()
                while left > 0:   # the literal: counted, never kept
                    n = self.sock.recv_into(view, min(left, len(chunk)))
                    if n == 0:
                        raise ImapFailure("the server closed the connection in a literal")
                    received += n
                    left -= n


def full_login(host: str, port: int, context: ssl.SSLContext, user: str, password: str) -> None:
    """TCP connect, TLS handshake, greeting, LOGIN, LOGOUT: one login as SPEC §9 counts it."""
    session = Session(host, port, context)
    try:
        session.login(user, password)
        session.logout()
    finally:
        session.close()


def login_loop(host: str, port: int, cafile: str, accounts: list, count: int, deadline: float) -> tuple:
    """Worker: `count` full logins in a row (stopping at the monotonic `deadline`), cycling
    through `accounts` [(user, password)]. Returns (logins done, failures, first failure)."""
    context = client_context(cafile)
    done = failures = 0
    first_failure = ""
    for i in range(count):
        if time.monotonic() > deadline:
            break
        user, password = accounts[i % len(accounts)]
        try:
            full_login(host, port, context, user, password)
            done += 1
        except (OSError, ImapFailure) as e:
            failures += 1
            first_failure = first_failure or f"{type(e).__name__}: {e}"
    return done, failures, first_failure


def time_to_greeting(host: str, port: int, context: ssl.SSLContext) -> float:
    """Seconds from connect() to the first greeting byte after the TLS handshake."""
    start = time.perf_counter()
    raw = socket.create_connection((host, port), timeout=10)
    try:
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock = context.wrap_socket(raw, server_hostname=host)
        first = sock.recv(1)
        elapsed = time.perf_counter() - start
        if first != b"*":
            raise ImapFailure(f"greeting began with {first!r}")
        sock.close()
        return elapsed
    finally:
        raw.close()


def hold_sessions(host: str, port: int, cafile: str, accounts: list, count: int, time_limit: float, pipe) -> None:
    """Worker: holds up to `count` logged-in sessions idle. Talks over `pipe`: says ("ready",)
    at once; on "open" opens the sessions (for at most `time_limit` seconds) and says
    ("opened", n, failures, first failure); answers "alive" with the number of sessions the
    server has not closed, and "close" by closing them all ("closed")."""
    context = client_context(cafile)
    sessions, failures, first_failure = [], 0, ""
    pipe.send(("ready",))
    if pipe.recv() != "open":
        return
    deadline = time.monotonic() + time_limit
    for i in range(count):
        if time.monotonic() > deadline:
            break
        user, password = accounts[i % len(accounts)]
        try:
            session = Session(host, port, context)
            session.login(user, password)
            sessions.append(session)
        except (OSError, ImapFailure) as e:
            failures += 1
            first_failure = first_failure or f"{type(e).__name__}: {e}"
    pipe.send(("opened", len(sessions), failures, first_failure))
    while True:
        request = pipe.recv()
        if request == "alive":
            pipe.send(("alive", _alive(sessions)))
        elif request == "close":
            for session in sessions:
                session.close()
            pipe.send(("closed",))
            return


def _alive(sessions: list) -> int:
    """Sessions whose socket has nothing to read: an idle session gets no data, so a readable
    socket means the server closed it (or said BYE)."""
    poller = select.poll()
    for session in sessions:
        poller.register(session.sock.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    return len(sessions) - len(poller.poll(0))
