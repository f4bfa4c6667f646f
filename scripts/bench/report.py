"""The bench's output: one table (figure | postern | budget | nginx), then where each cost
goes by role, then the conditions of the run."""
import os
import platform
import resource
import ssl
import subprocess
import sys
from pathlib import Path

from harness.paths import REPO

# SPEC §9.
LOGIN_BUDGET_MS = 1.3
GIB_BUDGET_S = 2.83
SESSION_BUDGET_KIB = 22.0
GREETING_MARGIN_MS = 1.0
FLOOD_GOAL_PERCENT = 99.0
NGINX_QUOTED = {"login": "1.63 ms", "gib": "2.83 s", "session": "22 KiB", "greeting": "43-47 ms"}


def _verdict(value: float, budget: float) -> str:
    return "" if value <= budget else "  OVER"


class Report:
    def __init__(self, nginx_measured: bool):
        self.nginx_measured = nginx_measured
        self.rows = []       # (figure, postern, budget, nginx)
        self.notes = []
        self.failed = []

    # -- rows ---------------------------------------------------------------

    def _nginx_cell(self, result, cell, quoted: str) -> str:
        if not self.nginx_measured:
            return f"{quoted} (quoted, SPEC)"
        if isinstance(result, Exception):
            return f"failed ({type(result).__name__})"
        return cell(result) if result is not None else "-"

    def _postern_cell(self, result, cell) -> str:
        if isinstance(result, Exception):
            return f"failed ({type(result).__name__})"
        return cell(result)

    def _failures(self, figure: str, results: dict) -> None:
        for name, result in results.items():
            if isinstance(result, Exception):
                self.failed.append(f"{figure}, {name}: {result}")

    def login(self, results: dict, password_check_ms: float = None, scheme: str = "") -> None:
        """password_check_ms: what one crypt(3) check of postern's users file costs, timed
        apart: the share of authd's CPU that is the password hash."""
        postern, nginx = results.get("postern"), results.get("nginx")
        self._failures("CPU per login", results)
        self.rows.append((
            "CPU per IMAPS login (all processes)",
            self._postern_cell(postern, lambda r: f"{r.cpu_ms:.2f} ms" + _verdict(r.cpu_ms, LOGIN_BUDGET_MS)),
            f"<= {LOGIN_BUDGET_MS} ms",
            self._nginx_cell(nginx, lambda r: f"{r.cpu_ms:.2f} ms", NGINX_QUOTED["login"])))
        for name, r in results.items():
            if isinstance(r, Exception) or r is None:
                continue
            roles = ", ".join(f"{role} {ms:.3f}" for role, ms in sorted(r.by_role_ms.items(), key=lambda x: -x[1]))
            self.notes.append(f"CPU per login, {name}: {r.logins} logins at {r.rate:.0f}/s, "
                              f"{r.failures} failed; ms by role: {roles}"
                              + (" [cut short by the time limit]" if r.cut_short else ""))
            if r.failures:
                self.notes.append(f"  first failure: {r.first_failure}")
            if name == "postern" and password_check_ms is not None:
                self.notes.append(f"  one crypt(3) check of the users file ({scheme}) costs {password_check_ms:.3f} ms "
                                  f"here (libcrypt, timed in the bench process); authd remembers a successful check "
                                  f"until the users file changes (at most 10 min), and these logins cycle through "
                                  f"the bench's accounts, so a login whose password is not remembered costs about "
                                  f"{r.cpu_ms + password_check_ms:.2f} ms")

    def relay(self, results: dict) -> None:
        postern, nginx = results.get("postern"), results.get("nginx")
        self._failures("CPU per GiB", results)
        self.rows.append((
            "CPU per GiB relayed (all processes)",
            self._postern_cell(postern, lambda r: f"{r.cpu_s_per_gib:.2f} s" + _verdict(r.cpu_s_per_gib, GIB_BUDGET_S)),
            f"<= {GIB_BUDGET_S} s",
            self._nginx_cell(nginx, lambda r: f"{r.cpu_s_per_gib:.2f} s", NGINX_QUOTED["gib"])))
        self.rows.append((
            "  throughput, one session (FETCH)",
            self._postern_cell(postern, lambda r: f"{r.mib_per_s:.0f} MiB/s"),
            "-",
            self._nginx_cell(nginx, lambda r: f"{r.mib_per_s:.0f} MiB/s", "-")))
        for name, r in results.items():
            if isinstance(r, Exception) or r is None:
                continue
            roles = ", ".join(f"{role} {s:.2f}" for role, s in sorted(r.by_role_s_per_gib.items(), key=lambda x: -x[1]))
            self.notes.append(f"CPU per GiB, {name}: {r.bytes / (1 << 30):.2f} GiB relayed; s/GiB by role: {roles}"
                              + (" [cut short by the time limit]" if r.cut_short else ""))

    def memory(self, results: dict) -> None:
        postern, nginx = results.get("postern"), results.get("nginx")
        self._failures("memory per session", results)
        self.rows.append((
            "PSS per idle authenticated session",
            self._postern_cell(postern, lambda r: f"{r.kib_per_session:.1f} KiB"
                               + _verdict(r.kib_per_session, SESSION_BUDGET_KIB)),
            f"<= {SESSION_BUDGET_KIB:.0f} KiB",
            self._nginx_cell(nginx, lambda r: f"{r.kib_per_session:.1f} KiB", NGINX_QUOTED["session"])))
        for name, r in results.items():
            if isinstance(r, Exception) or r is None:
                continue
            roles = ", ".join(f"{role} {kib:.1f}" for role, kib in sorted(r.by_role_kib.items(), key=lambda x: -x[1]))
            fds = ", ".join(f"{role} {n:.2f}" for role, n in sorted(r.descriptors_per_session.items()) if n >= 0.005)
            self.notes.append(
                f"PSS per session, {name}: {r.sessions} of {r.requested} sessions open when measured"
                f" ({r.failures} failed to open); PSS {r.baseline_kib} KiB idle, {r.loaded_kib} KiB loaded,"
                f" {r.after_close_kib} KiB after closing them; KiB by role: {roles}; of it anonymous"
                f" {r.anon_kib_per_session:.1f}, file-backed {r.file_kib_per_session:.1f}; descriptors per session: {fds}")
            if r.failures:
                self.notes.append(f"  first failure: {r.first_failure}")

    def flood(self, one: dict, spread: dict) -> None:
        """Login success beside a flood (the issue's goal: >= 99% against one flooding address)."""
        for label, results, goal in (("from one address", one, FLOOD_GOAL_PERCENT), ("from 50 addresses", spread, None)):
            self._failures(f"logins beside a flood {label}", results)
            cell = lambda r: f"{r.percent:.1f}% of {r.logins}" + (_verdict(-r.percent, -goal) if goal else "")
            self.rows.append((
                f"logins beside a flood {label}",
                self._postern_cell(results.get("postern"), cell),
                f">= {goal:.0f}%" if goal else "-",
                self._nginx_cell(results.get("nginx"), lambda r: f"{r.percent:.1f}% of {r.logins}", "not quoted")))
            for name, r in results.items():
                if not isinstance(r, Exception):
                    self.notes.append(f"flood {label}, {name}: {r.flood_connections} flood connections"
                                      + (f"; first failure: {r.first_failure}" if r.first_failure else ""))

    def greeting(self, result) -> None:
        if isinstance(result, Exception):
            self.failed.append(f"connect -> greeting: {result}")
            for label in ("median", "p95"):
                self.rows.append((f"connect -> greeting, {label}", "failed", "-", "-"))
            return
        direct_median, direct_p95 = result.median_ms("direct"), result.p95_ms("direct")
        for label, stat, direct in (("median", result.median_ms, direct_median), ("p95", result.p95_ms, direct_p95)):
            budget = direct + GREETING_MARGIN_MS
            postern = stat("postern")
            nginx = (f"{stat('nginx'):.2f} ms" if "nginx" in result.samples
                     else f"{NGINX_QUOTED['greeting']} (quoted, SPEC)")
            self.rows.append((f"connect -> greeting, {label}", f"{postern:.2f} ms" + _verdict(postern, budget),
                              f"<= {budget:.2f} ms (direct {direct:.2f} + 1)", nginx))
        counts = ", ".join(f"{name} {len(v)} ({result.failures[name]} failed)" for name, v in result.samples.items())
        self.notes.append(f"connect -> greeting: samples per target: {counts}; direct = Dovecot's own IMAPS port")

    # -- output -------------------------------------------------------------

    def print(self, conditions: list, out=sys.stdout) -> None:
        header = ("figure", "postern", "budget (SPEC §9)", "nginx")
        widths = [max(len(row[i]) for row in [header, *self.rows]) for i in range(4)]
        line = lambda row: " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
        print(line(header), file=out)
        print("-+-".join("-" * w for w in widths), file=out)
        for row in self.rows:
            print(line(row), file=out)
        if self.notes:
            print("\nWhere it goes:", file=out)
            for note in self.notes:
                print(f"  {note}", file=out)
        if self.failed:
            print("\nNot measured:", file=out)
            for failure in self.failed:
                print(f"  {failure}", file=out)
        print("\nConditions:", file=out)
        for condition in conditions:
            print(f"  {condition}", file=out)


def _first_line(argv: list) -> str:
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        return (result.stdout or result.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


def _postern_revision() -> str:
    revision = _first_line(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "Sources", "Package.swift"],
                           capture_output=True, text=True).stdout.strip()
    return revision + (" with uncommitted changes in Sources/" if dirty else "")


def load_average() -> str:
    """The 1-minute load average: other work on the machine shows in the wall-clock figures
    (throughput, connect -> greeting) more than in the CPU ones."""
    return Path("/proc/loadavg").read_text().split()[0]


def machine_conditions(bin_dir: Path) -> list:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        debian = "Debian " + Path("/etc/debian_version").read_text().strip()
    except OSError:
        debian = platform.platform()
    return [
        f"machine: {os.cpu_count()} cores ({_cpu_model()}), "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / (1 << 30):.0f} GiB RAM, "
        f"{debian}, kernel {platform.release()}, descriptors per process {soft}/{hard}",
        f"postern {_postern_revision()}, binaries {bin_dir}",
        f"Dovecot {_first_line(['dovecot', '--version'])}; {ssl.OPENSSL_VERSION} (client: Python {platform.python_version()})",
    ]
