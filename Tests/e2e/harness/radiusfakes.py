"""RADIUS servers that misbehave on purpose, on 127.0.0.1, for failover and isolation tests.

- `SilentUdpPort`: a bound UDP socket that reads and counts datagrams (and notes each one's
  RADIUS Code) and never answers (a dead server whose port is not closed: the client only
  learns by its timeout).
- `SlowRadius`: a small RADIUS responder that answers each request after `delay` seconds,
  each in its own thread, correctly signed (Response Authenticator and Message-Authenticator),
  so a slow server is slow, not broken. Access-Requests: Accept with the user's reply
  attributes when the User-Password matches, else Reject; requests without a valid
  Message-Authenticator are dropped, as FreeRADIUS does with require_message_authenticator.
  Accounting-Requests with a valid authenticator get an Accounting-Response. Its receive
  buffer holds a burst of a few thousand requests (hundreds of logins at once), and each
  request remembers the address and port it came from (`source_ports()`).

Both are context managers; `close()` stops them.
"""
import secrets
import socket
import threading
import time
from dataclasses import dataclass

from . import radiuspackets as rp
from .radius import RadiusUser, radius_users


class SilentUdpPort:
    def __init__(self, address: str = "127.0.0.1", port: int = 0):
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind((address, port))
        self.address, self.port = self.socket.getsockname()
        self.received = 0       # datagrams read so far (retries show here)
        self.codes = []         # the RADIUS Code of each (1 Access-Request, 12 Status-Server, ...)
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._drain, daemon=True, name=f"silent-udp-{self.port}")
        self._thread.start()

    def _drain(self) -> None:
        self.socket.settimeout(0.2)
        while not self._closed.is_set():
            try:
                datagram, _ = self.socket.recvfrom(4096)
                self.codes.append(datagram[0] if datagram else None)
                self.received += 1
            except socket.timeout:
                continue
            except OSError:
                return

    def close(self) -> None:
        self._closed.set()
        self._thread.join(2)
        self.socket.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@dataclass(frozen=True)
class ReceivedRequest:
    at: float            # time.monotonic() when it arrived
    code: int
    user: str
    packet: rp.Packet
    peer: tuple          # (address, port) it came from


class SlowRadius:
    def __init__(self, delay: float, users: dict = None, secret: str = None,
                 address: str = "127.0.0.1", port: int = 0):
        """users: name -> RadiusUser (default radius_users()); port 0 = a free one.
        One socket answers both Access- and Accounting-Requests (auth-port = acct-port)."""
        self.delay = delay
        self.users = dict(users if users is not None else radius_users())
        self.secret = secret or secrets.token_hex(16)
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        _enlarge_receive_buffer(self.socket, 4 << 20)
        self.socket.bind((address, port))
        self.address, self.port = self.socket.getsockname()
        self.requests: list = []    # ReceivedRequest, in arrival order (valid or not)
        self.dropped = 0            # requests dropped for a bad or missing signature
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True, name=f"slow-radius-{self.port}")
        self._thread.start()

    def _serve(self) -> None:
        self.socket.settimeout(0.2)
        while not self._closed.is_set():
            try:
                data, peer = self.socket.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._answer, args=(data, peer, time.monotonic()), daemon=True).start()

    def _answer(self, data: bytes, peer, arrived: float) -> None:
        try:
            request = rp.decode(data)
        except rp.RadiusPacketError:
            self._drop()
            return
        with self._lock:
            self.requests.append(ReceivedRequest(arrived, request.code, request.text("User-Name", ""), request, peer))
        answer = self._decide(data, request)
        if answer is None:
            self._drop()
            return
        time.sleep(max(0.0, self.delay - (time.monotonic() - arrived)))
        if not self._closed.is_set():
            try:
                self.socket.sendto(answer, peer)
            except OSError:
                pass

    def _decide(self, data: bytes, request: rp.Packet):
        secret = self.secret.encode()
        if request.code == rp.ACCOUNTING_REQUEST:
            if not rp.accounting_request_ok(data, secret):
                return None
            return rp.reply(request, rp.ACCOUNTING_RESPONSE, secret, sign_message_authenticator=False)
        if request.code != rp.ACCESS_REQUEST or not rp.message_authenticator_ok(data, secret):
            return None
        user = self.users.get(request.text("User-Name", ""))
        hidden = request.get("User-Password")
        password = rp.reveal_password(hidden, secret, request.authenticator) if hidden else None
        if user is None or password != user.password.encode():
            return rp.reply(request, rp.ACCESS_REJECT, secret)
        attributes = [(name, value.encode()) for name, value in user.reply]
        return rp.reply(request, rp.ACCESS_ACCEPT, secret, attributes)

    def _drop(self) -> None:
        with self._lock:
            self.dropped += 1

    def source_ports(self) -> set:
        """The source ports the requests so far came from."""
        with self._lock:
            return {r.peer[1] for r in self.requests}

    def close(self) -> None:
        self._closed.set()
        self._thread.join(2)
        self.socket.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_SO_RCVBUFFORCE = 33   # Linux; Python's socket module does not name it


def _enlarge_receive_buffer(sock: socket.socket, size: int) -> None:
    """The default (net.core.rmem_default, about 200 KiB) can overflow with a burst of hundreds
    of requests before the serving thread has read them. Root may exceed rmem_max."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, _SO_RCVBUFFORCE, size)
    except OSError:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size)


__all__ = ["SilentUdpPort", "SlowRadius", "ReceivedRequest", "RadiusUser"]
