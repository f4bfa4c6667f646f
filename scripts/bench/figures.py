"""SPEC §9's four figures, each measured the same way for any proxy: a load from client
processes, and the proxy's cost read from /proc around it. A proxy here is anything with
`name`, `host`, `port` and `processes()` (pid -> role).

Every figure has a time limit; a run cut short reports what it did (and says so).
"""
import multiprocessing
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from . import imapload
from .procs import CpuSample, ProcessesChanged, PssSample, open_descriptors

GIB = 1 << 30
MIB = 1 << 20
_FORK = multiprocessing.get_context("fork")
# After the last client is done the proxy may still log, free the login slot, close sockets.
SETTLE = 0.5


class FigureFailed(Exception):
    pass


@dataclass
class LoginCost:
    logins: int
    failures: int
    first_failure: str
    cpu_ms: float                 # per login, every process of the proxy
    by_role_ms: dict              # role -> CPU ms per login
    rate: float                   # logins per second of wall time
    cut_short: bool


@dataclass
class RelayCost:
    bytes: int
    cpu_s_per_gib: float
    by_role_s_per_gib: dict
    mib_per_s: float
    cut_short: bool


@dataclass
class SessionMemory:
    sessions: int                 # alive when measured
    requested: int
    failures: int
    first_failure: str
    kib_per_session: float        # PSS
    anon_kib_per_session: float   # its anonymous part: heap, stacks
    file_kib_per_session: float   # its file-backed part: shared libraries, split among their mappers
    by_role_kib: dict             # role -> KiB of PSS per session
    baseline_kib: int
    loaded_kib: int
    after_close_kib: int
    descriptors_per_session: dict  # role -> descriptors added per session


@dataclass
class GreetingTimes:
    samples: dict = field(default_factory=dict)   # proxy name -> [seconds]
    failures: dict = field(default_factory=dict)

    def median_ms(self, name: str) -> float:
        return statistics.median(self.samples[name]) * 1000

    def p95_ms(self, name: str) -> float:
        values = sorted(self.samples[name])
        return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))] * 1000


def _accounts(users: dict) -> list:
    return sorted(users.items())


def cpu_per_login(proxy, cafile, users: dict, count: int, clients: int, time_limit: float,
                  warmup: int = 20) -> LoginCost:
    """`count` full logins from `clients` processes; the proxy's CPU divided by the logins."""
    accounts = _accounts(users)
    context = imapload.client_context(cafile)
    for i in range(warmup):   # first-use costs (lazy setup, page faults) are not per login
        user, password = accounts[i % len(accounts)]
        imapload.full_login(proxy.host, proxy.port, context, user, password)
    time.sleep(SETTLE)

    roles = proxy.processes()
    before = CpuSample.of(roles)
    started = time.monotonic()
    deadline = started + time_limit
    shares = [count // clients + (1 if i < count % clients else 0) for i in range(clients)]
    with ProcessPoolExecutor(clients, mp_context=_FORK) as pool:
        jobs = [pool.submit(imapload.login_loop, proxy.host, proxy.port, str(cafile),
                            accounts[i:] + accounts[:i], share, deadline)
                for i, share in enumerate(shares)]
        results = [job.result() for job in jobs]
    wall = time.monotonic() - started
    time.sleep(SETTLE)
    after = CpuSample.of(proxy.processes())

    done = sum(r[0] for r in results)
    failures = sum(r[1] for r in results)
    first_failure = next((r[2] for r in results if r[2]), "")
    if done == 0:
        raise FigureFailed(f"no login succeeded ({failures} failed: {first_failure})")
    cost = _cost(before, after)
    return LoginCost(logins=done, failures=failures, first_failure=first_failure,
                     cpu_ms=cost.total / done * 1000,
                     by_role_ms={r: s / done * 1000 for r, s in cost.by_role.items()},
                     rate=done / wall, cut_short=done + failures < count)


def cpu_per_gib(proxy, cafile, user: str, password: str, total: int, time_limit: float) -> RelayCost:
    """FETCHes of one large message (sequence 1 of `user`) through one session until `total`
    bytes have passed; the proxy's CPU per GiB and the throughput."""
    session = imapload.Session(proxy.host, proxy.port, imapload.client_context(cafile))
    try:
        session.login(user, password)
        session.command("SELECT INBOX")
        session.fetch_discarding(1)   # warm-up: Dovecot's cache, the proxy's buffers
        time.sleep(SETTLE)
        roles = proxy.processes()
        before = CpuSample.of(roles)
        started = time.monotonic()
        received = 0
        while received < total and time.monotonic() - started < time_limit:
            received += session.fetch_discarding(1)
        wall = time.monotonic() - started
        time.sleep(SETTLE)
        after = CpuSample.of(proxy.processes())
        session.logout()
    finally:
        session.close()
    cost = _cost(before, after)
    gib = received / GIB
    return RelayCost(bytes=received, cpu_s_per_gib=cost.total / gib,
                     by_role_s_per_gib={r: s / gib for r, s in cost.by_role.items()},
                     mib_per_s=received / MIB / wall, cut_short=received < total)


def memory_per_session(proxy, cafile, users: dict, count: int, holders: int, time_limit: float,
                       settle: float = 3.0) -> SessionMemory:
    """PSS of every process of the proxy with `count` idle logged-in sessions, minus the PSS
    with none, per session. The sessions are held by `holders` client processes, started
    before the first reading: they map the same libraries as the proxy, and PSS splits a
    shared page among all who map it."""
    accounts = _accounts(users)
    shares = [count // holders + (1 if i < count % holders else 0) for i in range(holders)]
    workers = []
    try:
        for i, share in enumerate(shares):
            mine, theirs = _FORK.Pipe()
            worker = _FORK.Process(target=imapload.hold_sessions, daemon=True, args=(
                proxy.host, proxy.port, str(cafile), accounts[i:] + accounts[:i], share, time_limit, theirs))
            worker.start()
            workers.append((worker, mine))
        for _, pipe in workers:
            _expect(pipe, 30, "ready")
        time.sleep(settle)
        roles = proxy.processes()
        identities = CpuSample.of(roles).identities()
        baseline = PssSample.of(roles)
        base_fds = {pid: open_descriptors(pid) for pid in roles}

        for _, pipe in workers:
            pipe.send("open")
        opened = failures = 0
        first_failure = ""
        for _, pipe in workers:
            _, n, failed, first = _expect(pipe, time_limit + 60, "opened")
            opened, failures = opened + n, failures + failed
            first_failure = first_failure or first
        time.sleep(settle)
        loaded = PssSample.of(roles)
        loaded_fds = {pid: open_descriptors(pid) for pid in roles}
        alive = 0
        for _, pipe in workers:
            pipe.send("alive")
            alive += _expect(pipe, 30, "alive")[1]
        if CpuSample.of(proxy.processes()).identities() != identities:
            raise FigureFailed("a process of the proxy was restarted while the sessions were open")
    finally:
        for worker, pipe in workers:
            try:
                pipe.send("close")
                pipe.poll(60) and pipe.recv()
            except (OSError, EOFError):
                pass
            worker.join(10)
            if worker.is_alive():
                worker.kill()
    if alive == 0:
        raise FigureFailed(f"no session stayed open ({opened} opened, {failures} failed: {first_failure})")
    time.sleep(settle)
    after_close = PssSample.of(proxy.processes())

    descriptors: dict = {}   # a session lives in one process of each role, so a role's sum is per process
    for pid, role in roles.items():
        descriptors[role] = descriptors.get(role, 0.0) + (loaded_fds[pid] - base_fds[pid]) / alive
    per_session = lambda key: (loaded.total(key) - baseline.total(key)) / alive
    return SessionMemory(
        sessions=alive, requested=count, failures=failures, first_failure=first_failure,
        kib_per_session=per_session("Pss"), anon_kib_per_session=per_session("Pss_Anon"),
        file_kib_per_session=per_session("Pss_File"),
        by_role_kib={r: (loaded.role(r) - baseline.role(r)) / alive for r in loaded.by_role},
        baseline_kib=baseline.total(), loaded_kib=loaded.total(), after_close_kib=after_close.total(),
        descriptors_per_session=descriptors)


def _expect(pipe, timeout: float, kind: str) -> tuple:
    if not pipe.poll(timeout):
        raise FigureFailed(f"a client process did not say {kind!r} within {timeout:.0f} s")
    message = pipe.recv()
    if message[0] != kind:
        raise FigureFailed(f"a client process said {message[0]!r} instead of {kind!r}")
    return message


def greeting_times(proxies: list, cafile, samples: int, time_limit: float) -> GreetingTimes:
    """connect → first greeting byte, `samples` times per proxy, the proxies taken in turn
    (rotating which goes first) so that every one sees the same machine."""
    context = imapload.client_context(cafile)
    result = GreetingTimes({p.name: [] for p in proxies}, {p.name: 0 for p in proxies})
    deadline = time.monotonic() + time_limit
    for i in range(samples):
        if time.monotonic() > deadline:
            break
        for proxy in proxies[i % len(proxies):] + proxies[:i % len(proxies)]:
            try:
                result.samples[proxy.name].append(imapload.time_to_greeting(proxy.host, proxy.port, context))
            except (OSError, imapload.ImapFailure):
                result.failures[proxy.name] += 1
            time.sleep(0.002)   # let the closed session's teardown pass before the next connect
    for name, values in result.samples.items():
        if not values:
            raise FigureFailed(f"no greeting from {name}")
    return result


def _cost(before: CpuSample, after: CpuSample):
    try:
        return before.until(after)
    except ProcessesChanged as e:
        raise FigureFailed(str(e)) from e


@dataclass
class FloodOutcome:
    logins: int
    succeeded: int
    flood_connections: int
    first_failure: str

    @property
    def percent(self) -> float:
        return 100.0 * self.succeeded / self.logins if self.logins else 0.0


def login_rate_under_flood(proxy, cafile, user: str, password: str, flooders: list, seconds: float,
                           client: str = "127.0.0.3") -> FloodOutcome:
    """Logins from `client`, one after another for `seconds`, while `flooders` open plain TCP
    connections as fast as one thread makes them and 19 failed logins from the first flooder
    are held open (SPEC §4's fairness: one address must not deny another's logins)."""
    from harness.flood import PlainFlood, held_failed_logins
    from harness.imapclient import ImapConnection
    from harness.tlslines import ServerClosed

    held = held_failed_logins(proxy.port, cafile, flooders[0], 19, host=proxy.host, user=user)
    logins = succeeded = 0
    first_failure = ""
    try:
        with PlainFlood(proxy.port, flooders, host=proxy.host) as flood:
            time.sleep(0.5)
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                logins += 1
                try:
                    with ImapConnection(proxy.port, cafile, host=proxy.host, source=client, timeout=10) as conn:
                        reply = conn.login(user, password)
                        if reply.ok:
                            succeeded += 1
                        elif not first_failure:
                            first_failure = f"{reply.status} {reply.text}"
                except (OSError, ServerClosed) as e:
                    first_failure = first_failure or f"{type(e).__name__}: {e}"
            made = flood.made
    finally:
        for conn in held:
            conn.close()
    return FloodOutcome(logins, succeeded, made, first_failure)
