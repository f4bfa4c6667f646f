"""A mail server's log file as the tests read it: the text so far, and waiting for a line."""
import time


class LogFile:
    """Mixin: needs `self.log_path`."""

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_offset(self) -> int:
        return len(self.log_text())

    def wait_for_log(self, *needles: str, since: int = 0, timeout: float = 5) -> str:
        """The first log line (after offset `since`) containing every needle, or None."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.log_text()[since:].splitlines():
                if all(n in line for n in needles):
                    return line
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.1)
