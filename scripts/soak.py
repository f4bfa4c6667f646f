#!/usr/bin/env python3
"""postern's soak (SPEC §9: memory that stays flat): after a warm-up, N connections of every
kind (TCP connect and close, TLS without login, a cut handshake, a failed login, a login with a
FETCH, IMAP IDLE dropped by the client, a session ended by `posternctl kill`, POP3 RETR, SMTP
with a message), then each role's RSS, PSS, descriptors and threads against their values after
the warm-up, as growth per 1,000 connections, and every per-session table of
`posternctl status --json` against its value before.

    make soak                         # release build; 100,000 connections after the warm-up
    make bench                        # ends with a shorter soak (SOAK_ARGS)
    python3 scripts/soak.py --help

Needs root (postern's role users; Dovecot and Postfix switch users). Starts its own Dovecot,
Postfix and postern on loopback under a temporary directory. Exit status 0 whether or not the
goal is met (a measurement, not a test); 2 when the soak cannot run, 3 when connections failed
or a per-session table did not come back.
"""
import argparse
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Tests" / "e2e"))   # the end-to-end harness
os.environ.setdefault("POSTERN_BIN_DIR", str(REPO / ".build" / "release"))

from harness.certs import make_pki  # noqa: E402
from harness.mailproxies import pop3s, smtps  # noqa: E402
from harness.paths import binary  # noqa: E402
from harness.postfix import DOMAIN, Postfix  # noqa: E402
from harness.soakload import Soak, SoakFailure, SoakTarget, available_kinds, settle, tables_of_every_role  # noqa: E402

from bench.mailhost import BenchDovecot, accounts  # noqa: E402
from bench.posternproxy import BenchPostern  # noqa: E402
from bench.procs import FootprintSample  # noqa: E402
from bench.testbed import progress as bench_progress  # noqa: E402

# The goal (issue: flat memory): 100,000 connections grow no role by more than 1 MB.
GOAL_KIB_PER_100K = 1024
SINK = "soak-sink"


def progress(text: str) -> None:
    bench_progress(text, who="soak")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--warmup", type=int, default=10_000, help="connections before the first sample")
    p.add_argument("--per-kind", type=int, default=11_112, help="N: connections of each kind after the warm-up")
    p.add_argument("--concurrency", type=int, default=32, help="connections at a time")
    p.add_argument("--users", type=int, default=16, help="accounts the logins cycle through")
    p.add_argument("--relays", type=int, default=0, help="postern's relay-processes (0: one per core)")
    p.add_argument("--no-penalty-wait", action="store_true",
                   help="sample at once instead of after the failed-login records' window (300 s) has passed; "
                        "authd's figure then includes the records")
    p.add_argument("--keep", action="store_true", help="keep the run directory (logs, configurations)")
    return p.parse_args(argv)


class SoakBed:
    """Dovecot (IMAP, POP3, LMTP), Postfix delivering to it, and postern in front of both, as
    root with seccomp and no limit of its own below the load."""

    def __init__(self, directory: Path, users: int, relays: int):
        self.pki = make_pki(directory / "pki")
        self.accounts = accounts(users)
        everyone = {**self.accounts, SINK: "sink-password-not-used"}
        self.dovecot = BenchDovecot(directory / "dovecot", self.pki, everyone, addresses=("127.0.0.1",))
        self.postfix = Postfix(directory / "postfix", self.pki, self.dovecot)
        self.directory = directory
        self.relays = relays
        self.postern = None
        self.started = []

    def __enter__(self) -> "SoakBed":
        try:
            progress("starting Dovecot")
            self.dovecot.start()
            self.started.append(self.dovecot)
            for user in self.accounts:
                self.dovecot.deliver(user, f"From: soak <soak@localhost>\r\nTo: {user}\r\nSubject: one\r\n\r\n"
                                           f"The message the soak reads.\r\n".encode())
            progress("starting Postfix")
            self.postfix.start()
            self.started.append(self.postfix)
            room = {"outstanding": 0, "outstanding-per-address": 0}
            progress("starting postern")
            self.postern = BenchPostern(self.directory / "postern", self.pki, f"127.0.0.1:{self.dovecot.ports.imap}",
                                        users=self.accounts, overrides={
                                            **pop3s(self.dovecot, **room), **smtps(self.postfix, **room),
                                            "imap4s": room,
                                            "tls": {"min-version": "1.3"},
                                            "group-policy": {"DfltGrpPolicy": {"simultaneous-logins": 1_000_000}},
                                            "process": {"relay-processes": self.relays, "seccomp": "kill"},
                                        })
            self.postern.start()
            self.started.append(self.postern)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        for server in reversed(self.started):
            try:
                server.stop()
            except Exception as e:   # stop the others whatever one did
                progress(f"stopping {type(server).__name__}: {e}")

    @property
    def admin_socket(self) -> str:
        return str(self.postern.directory / "admin.sock")

    def target(self) -> SoakTarget:
        return SoakTarget(cafile=str(self.pki.ca_cert), imap_port=self.postern.port,
                          accounts=list(self.accounts.items()), admin_socket=self.admin_socket,
                          pop3_port=self.postern.port_of("pop3s"), smtp_port=self.postern.port_of("smtps"),
                          mail_sink=f"{SINK}@{DOMAIN}")

    def processes(self) -> dict:
        """pid -> role for the supervisor and the latest start of every child."""
        roles = {self.postern.process.pid: "supervisor"}
        for child in ("listener", "authd", "relay"):
            roles.update({pid: child for pid in self.postern.current_pids(child).values()})
        return roles


def penalties(tables: dict) -> dict:
    return {k: v for k, v in (tables.get("authd 0") or {}).items() if k.startswith("penalty")}


def await_penalty_window(socket_path: str, wait: bool) -> dict:
    """authd keeps a failed login's address and user for the penalty window (300 s) and drops
    them within a minute after: by design, not per session. With `wait`, returns once they are
    gone, so that the memory samples compare like with like."""
    tables = tables_of_every_role(socket_path)
    if not wait or not any(penalties(tables).values()):
        return tables
    progress(f"waiting for the failed-login records to pass their window: {penalties(tables)} ...")
    deadline = time.monotonic() + 420
    while any(penalties(tables).values()) and time.monotonic() < deadline:
        time.sleep(5)
        tables = tables_of_every_role(socket_path)
    return tables


def run_phase(soak: Soak, name: str, per_kind: int, kinds: list):
    progress(f"{name}: {per_kind * len(kinds)} connections ({per_kind} of each of {len(kinds)} kinds) ...")
    started = time.monotonic()
    result = soak.run(per_kind, kinds)
    elapsed = time.monotonic() - started
    progress(f"{name}: {result.total} in {elapsed:.0f} s ({result.total / max(elapsed, 0.001):.0f}/s); "
             f"{result.failures} failed")
    return result


def report(before: FootprintSample, after: FootprintSample, connections: int, result, penalties_before: dict,
           tables_after: dict, changes: dict, elapsed: float) -> list:
    lines = ["", f"postern soak: {connections} connections after the warm-up ({result.summary()}), {elapsed:.0f} s", ""]
    header = ("role", "RSS KiB", "growth/1000", "PSS KiB", "growth/1000", "fds", "threads", "100k projected")
    rows = []
    over = []
    for role in ("listener", "authd", "relay", "supervisor"):
        a, b = before.by_role.get(role), after.by_role.get(role)
        if not a or not b:
            continue
        per = lambda key: (b[key] - a[key]) / connections * 1000
        projected = max(per("rss"), per("pss")) * 100
        verdict = "ok" if projected <= GOAL_KIB_PER_100K else "OVER"
        if verdict != "ok":
            over.append(role)
        label = role if b["processes"] == 1 else f"{role} x{b['processes']}"
        rows.append((label, f"{a['rss']} -> {b['rss']}", f"{per('rss'):+.1f}", f"{a['pss']} -> {b['pss']}",
                     f"{per('pss'):+.1f}", f"{a['fds']} -> {b['fds']}", f"{a['threads']} -> {b['threads']}",
                     f"{projected:+.0f} KiB {verdict}"))
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    lines.append("")
    fds_back = all(before.by_role[r]["fds"] == after.by_role[r]["fds"] for r in before.by_role if r in after.by_role)
    lines.append(f"goal: 100,000 connections grow no role by more than {GOAL_KIB_PER_100K} KiB (RSS and PSS): "
                 + ("met" if not over else "NOT met by " + ", ".join(over)))
    lines.append("descriptors back to their values after the warm-up: " + ("yes" if fds_back else "NO"))
    lines.append("per-session tables back to their values before: " + ("yes" if not changes else f"NO {changes}"))
    lines.append(f"failed-login records inside their 300 s window at the two samples (kept by design, "
                 f"in authd's figure): {penalties_before} -> {penalties(tables_after)}")
    return lines


def main(argv) -> int:
    args = parse_args(argv)
    if os.geteuid() != 0:
        print("soak: needs root (postern's role users, Dovecot's and Postfix's users)", file=sys.stderr)
        return 2
    for name in ("postern", "postern-authd", "postern-relay"):
        if not os.access(binary(name), os.X_OK):
            print(f"soak: {binary(name)} is missing: swift build -c release (or set POSTERN_BIN_DIR)", file=sys.stderr)
            return 2
    directory = Path(tempfile.mkdtemp(prefix="postern-soak-"))
    os.chmod(directory, 0o755)   # the role users and the mail servers' must reach their files below
    status = 0
    try:
        with SoakBed(directory, args.users, args.relays) as bed:
            target = bed.target()
            kinds = available_kinds(target)
            soak = Soak(target, concurrency=args.concurrency)
            tables_before = tables_of_every_role(bed.admin_socket)
            warmup = run_phase(soak, "warm-up", math.ceil(args.warmup / len(kinds)), kinds)
            settle(bed.admin_socket, tables_before)
            wait = not args.no_penalty_wait
            penalties_before = penalties(await_penalty_window(bed.admin_socket, wait))
            roles = bed.processes()
            before = FootprintSample.of(roles)
            started = time.monotonic()
            result = run_phase(soak, "soak", args.per_kind, kinds)
            elapsed = time.monotonic() - started
            tables_after, changes = settle(bed.admin_socket, tables_before)
            tables_after = await_penalty_window(bed.admin_socket, wait)
            time.sleep(1)   # descriptors of the last closes
            after = FootprintSample.of(roles)
            if after.identities != before.identities or bed.processes() != roles:
                print(f"soak: a role restarted during the soak\n{bed.postern.log_tail(40)}", file=sys.stderr)
                return 3
            for line in report(before, after, result.total, result, penalties_before, tables_after, changes, elapsed):
                print(line)
            if warmup.failures or result.failures or changes:
                status = 3
    except (RuntimeError, OSError, AssertionError, SoakFailure) as e:
        print(f"soak: could not run: {e}\nsoak: files kept in {directory}", file=sys.stderr)
        return 2
    if args.keep:
        print(f"run directory kept: {directory}")
    else:
        shutil.rmtree(directory, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
