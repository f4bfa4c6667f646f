#!/usr/bin/env python3
"""postern's performance figures (SPEC §9) beside their budget, and nginx's mail proxy measured
the same way when it is installed (else SPEC's nginx figures, marked as quoted).

    make bench                        # release build, then this script
    python3 scripts/bench.py --help   # sizes of the runs, which figures

Needs root: postern runs with its real roles and seccomp, Dovecot switches users. It starts
its own Dovecot, postern and nginx on loopback under a temporary directory, measures, and
stops them. Exit status 0 whether or not a budget is met (this is a measurement, not a
test); 2 when the bench cannot run at all, 3 when a figure could not be measured.
"""
import argparse
import contextlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Tests" / "e2e"))   # the end-to-end harness: certificates, Dovecot, Postern
os.environ.setdefault("POSTERN_BIN_DIR", str(REPO / ".build" / "release"))

from harness.paths import bin_dir, binary  # noqa: E402

from bench import figures, imapload, nginx  # noqa: E402
from bench.posternproxy import HASH_SCHEMES, password_check_ms  # noqa: E402
from bench.procs import ProcessesChanged  # noqa: E402
from bench.report import Report, load_average, machine_conditions  # noqa: E402
from bench.testbed import Testbed, progress  # noqa: E402

FIGURES = ("login", "relay", "greeting", "flood", "memory")   # the order they run in: the heaviest load last
# What a figure may raise when the proxy or the load misbehaves: reported, the others go on.
MEASUREMENT_ERRORS = (figures.FigureFailed, ProcessesChanged, imapload.ImapFailure, OSError, RuntimeError)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--figures", default=",".join(FIGURES), help="which figures, comma-separated")
    p.add_argument("--logins", type=int, default=1000, help="N: full logins for CPU per login")
    p.add_argument("--login-clients", type=int, default=4, help="client processes logging in side by side")
    p.add_argument("--sessions", type=int, default=8000, help="K: idle sessions for PSS per session")
    p.add_argument("--session-clients", type=int, default=8, help="client processes holding the sessions")
    p.add_argument("--message-mib", type=int, default=32, help="size of the message FETCHed for CPU per GiB")
    p.add_argument("--relay-gib", type=float, default=1.0, help="GiB to relay for CPU per GiB")
    p.add_argument("--greetings", type=int, default=300, help="connect -> greeting samples per target")
    p.add_argument("--users", type=int, default=16, help="accounts the logins and sessions cycle through")
    p.add_argument("--hash", choices=HASH_SCHEMES, default="sha512",
                   help="crypt(3) scheme of postern's users file (posternctl passwd's default is yescrypt)")
    p.add_argument("--relays", type=int, default=0, help="postern's relay-processes (0: one per core)")
    p.add_argument("--flood-seconds", type=float, default=10, help="seconds of logins beside each flood")
    p.add_argument("--time-limit", type=float, default=90, help="seconds per figure and proxy, at most")
    p.add_argument("--no-nginx", action="store_true", help="quote SPEC's nginx figures instead of measuring")
    p.add_argument("--keep", action="store_true", help="keep the run directory (logs, configurations)")
    args = p.parse_args(argv)
    args.figures = [f.strip() for f in args.figures.split(",") if f.strip()]
    unknown = set(args.figures) - set(FIGURES)
    if unknown:
        p.error(f"unknown figures: {', '.join(sorted(unknown))} (known: {', '.join(FIGURES)})")
    return args


def fit_sessions(wanted: int) -> tuple:
    """K within the descriptor limit: the listener holds two descriptors per idle session,
    nginx's worker two as well (all could land on one worker). Returns (K, note or None)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    most = (soft - 500) // 2
    if wanted <= most:
        return wanted, None
    return most, f"K lowered from {wanted} to {most}: two descriptors per session under the limit of {soft}"


def measure(figure: str, proxy, run) -> object:
    """run(proxy)'s result, or the exception that stopped it."""
    progress(f"{figure}: {proxy.name} ...")
    started = time.monotonic()
    try:
        result = run(proxy)
    except MEASUREMENT_ERRORS as e:
        progress(f"{figure}: {proxy.name} failed: {e}\n{proxy.describe_failure()}")
        return e
    progress(f"{figure}: {proxy.name} done in {time.monotonic() - started:.1f} s")
    return result


def measure_all(args, bed: Testbed, sessions: int, report: Report) -> None:
    limit = args.time_limit
    each = lambda figure, run: {p.name: measure(figure, p, run) for p in bed.proxies}
    if "login" in args.figures:
        results = each("CPU per login", lambda p: figures.cpu_per_login(
            p, bed.cafile, bed.users, args.logins, args.login_clients, limit))
        report.login(results, password_check_ms(bed.postern), args.hash)
    if "relay" in args.figures:
        report.relay(each("CPU per GiB", lambda p: figures.cpu_per_gib(
            p, bed.cafile, bed.bulk_user, bed.bulk_password, int(args.relay_gib * figures.GIB), limit)))
    if "greeting" in args.figures:
        targets = [*bed.proxies, bed.direct]
        progress("connect -> greeting: " + ", ".join(t.name for t in targets) + " in turn ...")
        try:
            report.greeting(figures.greeting_times(targets, bed.cafile, args.greetings, limit * len(targets)))
        except MEASUREMENT_ERRORS as e:
            report.greeting(e)
    if "flood" in args.figures:
        user, password = next(iter(bed.users.items()))

        def flood(proxy, flooders):
            # Each proxy with its shipped pre-auth limits, which the other figures lift.
            with getattr(proxy, "default_preauth_limits", contextlib.nullcontext)():
                return figures.login_rate_under_flood(proxy, bed.cafile, user, password, flooders, args.flood_seconds)
        one = each("logins beside a flood from one address", lambda p: flood(p, ["127.0.0.2"]))
        spread = each("logins beside a flood from 50 addresses", lambda p: flood(p, [f"127.0.1.{i}" for i in range(1, 51)]))
        report.flood(one, spread)
    if "memory" in args.figures:
        report.memory(each("PSS per session", lambda p: figures.memory_per_session(
            p, bed.cafile, bed.users, sessions, args.session_clients, limit)))


def run_conditions(args, bed: Testbed, sessions: int, sessions_note) -> list:
    sizes = {
        "login": f"N = {args.logins} logins from {args.login_clients} client processes (after 20 unmeasured)",
        "relay": f"a {args.message_mib} MiB message FETCHed (BODY.PEEK[]) in one session until >= {args.relay_gib} GiB",
        "greeting": f"{args.greetings} connect -> greeting samples per target, the targets in turn",
        "flood": f"logins from 127.0.0.3 one after another for {args.flood_seconds:.0f} s beside plain TCP connections "
                 "made as fast as one thread can (from 127.0.0.2, then from 127.0.1.1-50) and 19 held failed logins",
        "memory": f"K = {sessions} idle sessions held by {args.session_clients} client processes",
    }
    conditions = ["; ".join(sizes[f] for f in FIGURES if f in args.figures) + f"; {args.users} accounts"]
    if sessions_note:
        conditions.append(sessions_note)
    relays = sum(1 for role in bed.postern.processes().values() if role == "relay")
    conditions += [
        "TLS 1.3 only (clients and proxies), ECDSA P-256 server certificate, full handshakes (no resumption); "
        "the clients are Python ssl sockets on the same machine",
        f"postern: started as root, seccomp = kill, {relays} relays, users file {args.hash}-crypt, plain IMAP "
        f"upstream; {bed.postern.confinement()}",
        "CPU = utime+stime (/proc/PID/stat) of every process of the proxy, the same processes before and after; "
        "PSS = sum of /proc/PID/smaps_rollup Pss",
    ]
    if bed.nginx in bed.proxies:
        conditions.append(f"nginx {nginx.version()} (libnginx-mod-mail), worker_processes auto, error_log info; "
                          "auth_http answered by a second nginx (a map of user:password), counted with it")
    else:
        problem = ("not installed (scripts/install-deps.sh installs nginx and libnginx-mod-mail)"
                   if not args.no_nginx and not nginx.available() else bed.nginx_problem or "--no-nginx")
        conditions.append(f"nginx not measured: {problem}; its column quotes SPEC §9")
    conditions.append("Dovecot: plain IMAP on 127.0.0.1 behind the proxies, imap-login and imap serving many "
                      "clients per process; direct = its own IMAPS port")
    return conditions


def main(argv) -> int:
    args = parse_args(argv)
    if os.geteuid() != 0:
        print("bench: needs root (postern's role users, Dovecot's mail user)", file=sys.stderr)
        return 2
    for name in ("postern", "postern-authd", "postern-relay", "posternctl"):
        if not os.access(binary(name), os.X_OK):
            print(f"bench: {binary(name)} is missing: swift build -c release (or set POSTERN_BIN_DIR)",
                  file=sys.stderr)
            return 2
    sessions, sessions_note = fit_sessions(args.sessions)
    directory = Path(tempfile.mkdtemp(prefix="postern-bench-"))
    os.chmod(directory, 0o755)   # the role users and Dovecot's must reach their files below
    started, load_before = time.monotonic(), load_average()
    try:
        bed = Testbed(directory, users=args.users, sessions=sessions,
                      message_mib=args.message_mib if "relay" in args.figures else 0,
                      scheme=args.hash, relays=args.relays, want_nginx=not args.no_nginx and nginx.available())
        with bed:
            report = Report(nginx_measured=bed.nginx in bed.proxies)
            measure_all(args, bed, sessions, report)
            conditions = run_conditions(args, bed, sessions, sessions_note)
    except (RuntimeError, OSError, AssertionError, subprocess.CalledProcessError) as e:
        # The harness raises PosternError (an AssertionError) when postern does not start.
        print(f"bench: could not run: {e}\nbench: files kept in {directory}", file=sys.stderr)
        return 2
    if args.keep:
        conditions.append(f"run directory kept: {directory}")
    else:
        shutil.rmtree(directory, ignore_errors=True)
    conditions = machine_conditions(bin_dir()) + conditions
    conditions.append(f"bench took {time.monotonic() - started:.0f} s; load average {load_before} before, "
                      f"{load_average()} after (the bench's own load included)")
    print()
    report.print(conditions)
    return 3 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
