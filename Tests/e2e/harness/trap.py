"""A listening socket that only records whether anything connected to it."""
import select
import socket


class TrapListener:
    def __init__(self, address: str, port: int):
        self.address, self.port = address, port
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((address, port))
        self.sock.listen(64)
        self.sock.setblocking(False)
        self.peers: list = []

    def connections(self) -> list:
        """Peers that connected so far; the kernel queues completed connections even when
        the peer has since closed, so none is missed."""
        while select.select([self.sock], [], [], 0)[0]:
            conn, peer = self.sock.accept()
            conn.close()
            self.peers.append(peer)
        return list(self.peers)

    def close(self) -> None:
        self.sock.close()
