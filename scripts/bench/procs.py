"""CPU time and proportional memory of a proxy's processes, read from /proc.

CPU is utime+stime of /proc/PID/stat: it counts every thread, also those that have
exited, and nothing of reaped children. A sample remembers each process's start time, so
a restarted role (a new process, perhaps under a recycled pid) invalidates a difference.
"""
import os
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class ProcessesChanged(Exception):
    """A process came or went between two samples: the difference would not be a cost."""


def _stat_fields(pid: int) -> list:
    """The fields of /proc/PID/stat after the command name; index 0 is field 3 (state)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2:].split()


def cpu_seconds(pid: int) -> float:
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS   # fields 14 and 15


def start_time(pid: int) -> int:
    return int(_stat_fields(pid)[19])   # field 22, in clock ticks since boot


def parent_pid(pid: int) -> int:
    return int(_stat_fields(pid)[1])    # field 4


def children_of(pid: int) -> list:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if parent_pid(int(entry.name)) == pid:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                pass   # gone while we looked
    return sorted(found)


PSS_FIELDS = ("Pss", "Pss_Anon", "Pss_File")


def pss_kib(pid: int) -> dict:
    """Pss, and its anonymous and file-backed parts, in KiB. The file part moves when other
    processes map or unmap the same libraries, whatever the proxy does."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in PSS_FIELDS:
            values[key] = int(rest.split()[0])
    if "Pss" not in values:
        raise ValueError(f"no Pss line in /proc/{pid}/smaps_rollup")
    return values


def open_descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


@dataclass(frozen=True)
class CpuSample:
    """pid -> (role, start time, CPU seconds) for every process of one proxy."""
    processes: dict

    @staticmethod
    def of(roles: dict) -> "CpuSample":
        """roles: pid -> role label."""
        return CpuSample({pid: (role, start_time(pid), cpu_seconds(pid)) for pid, role in roles.items()})

    def identities(self) -> set:
        return {(pid, started) for pid, (_, started, _) in self.processes.items()}

    def until(self, later: "CpuSample") -> "CpuCost":
        if self.identities() != later.identities():
            gone = sorted(p for p, _ in self.identities() - later.identities())
            new = sorted(p for p, _ in later.identities() - self.identities())
            raise ProcessesChanged(f"processes changed during the run (gone: {gone}, new: {new})")
        by_role: dict = {}
        for pid, (role, _, before) in self.processes.items():
            by_role[role] = by_role.get(role, 0.0) + later.processes[pid][2] - before
        return CpuCost(by_role)


@dataclass(frozen=True)
class CpuCost:
    by_role: dict   # role -> CPU seconds

    @property
    def total(self) -> float:
        return sum(self.by_role.values())


@dataclass(frozen=True)
class PssSample:
    by_role: dict   # role -> {"Pss": KiB, "Pss_Anon": KiB, "Pss_File": KiB}, summed over its processes

    @staticmethod
    def of(roles: dict) -> "PssSample":
        """roles: pid -> role label."""
        by_role: dict = {}
        for pid, role in roles.items():
            sums = by_role.setdefault(role, {})
            for key, kib in pss_kib(pid).items():
                sums[key] = sums.get(key, 0) + kib
        return PssSample(by_role)

    def total(self, key: str = "Pss") -> int:
        return sum(values.get(key, 0) for values in self.by_role.values())

    def role(self, role: str, key: str = "Pss") -> int:
        return self.by_role.get(role, {}).get(key, 0)


def status_fields(pid: int) -> dict:
    """VmRSS (KiB) and Threads from /proc/PID/status."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "Threads"):
            values[key] = int(rest.split()[0])
    return values


@dataclass(frozen=True)
class FootprintSample:
    """Per role, summed over its processes: RSS and PSS (KiB), descriptors, threads; and each
    process's start time, so a restarted role invalidates a comparison."""
    by_role: dict      # role -> {"rss": KiB, "pss": KiB, "fds": n, "threads": n, "processes": n}
    identities: frozenset

    @staticmethod
    def of(roles: dict) -> "FootprintSample":
        """roles: pid -> role label."""
        by_role: dict = {}
        for pid, role in roles.items():
            status = status_fields(pid)
            sums = by_role.setdefault(role, {"rss": 0, "pss": 0, "fds": 0, "threads": 0, "processes": 0})
            sums["rss"] += status.get("VmRSS", 0)
            sums["pss"] += pss_kib(pid)["Pss"]
            sums["fds"] += open_descriptors(pid)
            sums["threads"] += status.get("Threads", 0)
            sums["processes"] += 1
        return FootprintSample(by_role, frozenset((pid, start_time(pid)) for pid in roles))
