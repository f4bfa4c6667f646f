"""What postern's log says: events, the pids of its roles, which session is whose.

Every query re-reads the log file, so it sees what the daemon wrote up to now.
"""
import time
from pathlib import Path

from . import eventlog


class PosternError(AssertionError):
    pass


class PosternLog:
    def __init__(self, log_path: Path):
        self.log_path = log_path

    # -- log ----------------------------------------------------------------

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 80) -> str:
        text = self.log_text().splitlines()
        return "--- postern log (last %d lines) ---\n%s" % (lines, "\n".join(text[-lines:]))

    def events(self) -> list:
        return eventlog.parse(self.log_text())

    def mark(self) -> int:
        """An index into events(): pass it as `since` to look only at later events."""
        return len(self.events())

    def find(self, event: str = None, since: int = 0, **fields) -> list:
        return eventlog.matching(self.events()[since:], event, **fields)

    def wait_for(self, event: str, timeout: float = 10, since: int = 0, **fields) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            found = self.find(event, since, **fields)
            if found:
                return found[0]
            if time.monotonic() > deadline:
                want = " ".join(f"{k}={v}" for k, v in fields.items())
                raise PosternError(f"no event={event} {want} within {timeout}s\n{self.log_tail()}")
            time.sleep(0.05)

    def assert_no_secrets(self, secrets) -> None:
        text = self.log_text()
        leaked = sorted(s for s in secrets if s and s in text)
        if leaked:
            raise PosternError(f"secrets in the log of {self.log_path}: {len(leaked)} of them "
                               f"(first chars: {[s[:3] for s in leaked]})")

    # -- roles ----------------------------------------------------------

    def child_starts(self) -> list:
        return self.find("child-started", role="supervisor")

    def all_child_pids(self) -> list:
        return [int(e["pid"]) for e in self.child_starts() if e.get("pid", "").isdigit()]

    def current_pids(self, child: str) -> dict:
        """index -> pid of the latest start of each `child` (listener, authd, relay)."""
        pids = {}
        for e in self.child_starts():
            if e.get("child") == child:
                pids[int(e.get("index", "0"))] = int(e["pid"])
        return pids

    def pid(self, child: str, index: int = 0) -> int:
        pids = self.current_pids(child)
        if index not in pids:
            raise PosternError(f"no child-started for child={child} index={index}\n{self.log_tail()}")
        return pids[index]

    # -- sessions -----------------------------------------------------------

    def session_of_client(self, client_port: int, timeout: float = 5) -> str:
        """The session= id of the connection from 127.0.0.1:`client_port`."""
        suffix = f":{client_port}"
        deadline = time.monotonic() + timeout
        while True:
            for e in self.find("connection-accepted"):
                if "session" in e and any(v.endswith(suffix) or (k.startswith("client") and v == str(client_port))
                                          for k, v in e.items()):
                    return e["session"]
            if time.monotonic() > deadline:
                raise PosternError(f"no connection-accepted for client port {client_port}\n{self.log_tail()}")
            time.sleep(0.05)

    def relay_pid_of_session(self, session: str, timeout: float = 5) -> int:
        """The pid of the relay that serves `session`, from its relay-established event
        (a pid= field, or an index= field mapped through child-started)."""
        self.wait_for("relay-established", timeout=timeout, session=session)
        found = self.find("relay-established", session=session)
        for e in sorted(found, key=lambda e: e.get("role") != "relay"):   # the relay's own line first
            if e.get("role") == "relay" and e.get("pid", "").isdigit():
                return int(e["pid"])
            for key in ("index", "relay", "relay-index"):
                if e.get(key, "").isdigit():
                    return self.pid("relay", int(e[key]))
        raise PosternError(f"relay-established names no relay pid or index: {found}")
