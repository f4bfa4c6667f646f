"""A stand-in for journald's stdout socket (/run/systemd/journal/stdout): it accepts streams,
reads each one's header as systemd's journald-stream.c does (identifier, unit id, priority,
level prefix, three forwarding flags; one a line) and keeps every line under its identifier."""
import os
import socket
import threading
import time
from pathlib import Path


class FakeJournal:
    HEADER_LINES = 7

    def __init__(self, path: Path):
        self.path = Path(path)
        self.streams = []          # (identifier, header lines, [lines]) per connection
        self.lock = threading.Lock()
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(self.path))
        os.chmod(self.path, 0o666)
        self.server.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn):
        buffer = b""
        header = None
        lines = []
        with conn:
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    text = line.decode("utf-8", "replace")
                    if header is None:
                        lines.append(text)
                        if len(lines) == self.HEADER_LINES:
                            header, lines = lines, []
                            with self.lock:
                                self.streams.append((header[0], header, lines))
                    else:
                        with self.lock:
                            lines.append(text)

    def connect_as(self, identifier: str) -> socket.socket:
        """A stream as systemd opens one for a unit's standard output and error."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(str(self.path))
        s.shutdown(socket.SHUT_RD)
        s.sendall(f"{identifier}\n\n6\n0\n0\n0\n0\n".encode())
        return s

    def lines(self, identifier: str = None) -> list:
        with self.lock:
            return [l for ident, _, ls in self.streams if identifier in (None, ident) for l in ls]

    def headers(self) -> list:
        with self.lock:
            return [h for _, h, _ in self.streams]

    def text(self) -> str:
        with self.lock:
            return "\n".join(f"{ident}: {l}" for ident, _, ls in self.streams for l in ls)

    def wait_for(self, needle: str, timeout: float, identifier: str = None) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(needle in l for l in self.lines(identifier)):
                return True
            time.sleep(0.05)
        return False

    def close(self):
        self.server.close()
