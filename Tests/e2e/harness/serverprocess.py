"""A test server run in the foreground as a child of the test (Dovecot, FreeRADIUS, slapd)."""
import subprocess


class ServerProcess:
    """Mixin: needs `self.process` (a Popen, or None before start)."""

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM, then SIGKILL if it has not exited within `timeout` seconds."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
