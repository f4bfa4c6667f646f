"""Free TCP ports on loopback addresses."""
import socket


def _bindable(address: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((address, port))
        except OSError:
            return False
    return True


def free_port(addresses=("127.0.0.1",)) -> int:
    """A port nothing listens on at any of `addresses` right now (racy, as every such pick is)."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((addresses[0], 0))
            port = s.getsockname()[1]
        if all(_bindable(a, port) for a in addresses[1:]):
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
