"""Plain TCP clients for the TLS port: bytes that are not TLS, a handshake that stops
halfway, connections that never say anything."""
import select
import socket
import ssl
import time


def connect(port: int, host: str = "127.0.0.1", timeout: float = 10) -> socket.socket:
    return socket.create_connection((host, port), timeout=timeout)


def client_hello(server_hostname: str = "localhost") -> bytes:
    """The first flight of a real TLS client (Python's OpenSSL): a complete ClientHello record."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_side=False, server_hostname=server_hostname)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = outgoing.read()
    assert hello[:1] == b"\x16", "not a TLS handshake record"
    return hello


def closed_by_peer(sock: socket.socket, timeout: float) -> bool:
    """True when the peer closes (EOF or reset) within `timeout`; whatever it sends first is
    read and dropped."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        readable, _, _ = select.select([sock], [], [], remaining)
        if not readable:
            return False
        try:
            if not sock.recv(65536):
                return True
        except (ConnectionResetError, BrokenPipeError):
            return True


def is_closed_now(sock: socket.socket) -> bool:
    """True when the peer has closed `sock` (a pending EOF or reset), without waiting. Only
    for sockets the peer never writes to before closing: data pending counts as open."""
    poller = select.poll()
    poller.register(sock, select.POLLIN | select.POLLHUP | select.POLLERR)
    if not poller.poll(0):
        return False
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except (ConnectionResetError, BrokenPipeError):
        return True


def still_open(socks) -> list:
    return [s for s in socks if not is_closed_now(s)]
