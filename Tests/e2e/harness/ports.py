"""Free TCP ports on loopback addresses."""
import socket


def _bindable(address: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((address, port))
        except OSError:
            return False
    return True


# Ports handed out lately: two picks made before either is bound (pop3s and smtps of one
# configuration) must not get the same port back from the kernel.
_recent: list = []


def free_port(addresses=("127.0.0.1",)) -> int:
    """A port nothing listens on at any of `addresses` right now (racy, as every such pick is),
    and none of the last 512 this process handed out."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((addresses[0], 0))
            port = s.getsockname()[1]
        if port not in _recent and all(_bindable(a, port) for a in addresses[1:]):
            _recent.append(port)
            del _recent[:-512]
            return port
    raise RuntimeError(f"no free port on {addresses}")


def free_ports(count: int, addresses=("127.0.0.1",)) -> list:
    ports: list = []
    while len(ports) < count:
        port = free_port(addresses)
        if port not in ports:
            ports.append(port)
    return ports


def wait_for_port(address: str, port: int, timeout: float) -> bool:
    """True once something accepts a TCP connection at address:port."""
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((address, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.05)
    return False
