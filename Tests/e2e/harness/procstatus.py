"""What /proc/PID/status says about a process's identity and confinement."""
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProcStatus:
    name: str
    state: str
    uids: tuple       # real, effective, saved, filesystem
    gids: tuple
    groups: tuple     # supplementary
    cap_inh: int
    cap_prm: int
    cap_eff: int
    cap_bnd: int
    cap_amb: int
    no_new_privs: int
    seccomp: int      # 0 off, 1 strict, 2 filter


def read_status(pid: int) -> ProcStatus:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    ints = lambda k: tuple(int(x) for x in fields.get(k, "").split())
    return ProcStatus(
        name=fields["Name"], state=fields["State"],
        uids=ints("Uid"), gids=ints("Gid"), groups=ints("Groups"),
        cap_inh=int(fields["CapInh"], 16), cap_prm=int(fields["CapPrm"], 16),
        cap_eff=int(fields["CapEff"], 16), cap_bnd=int(fields["CapBnd"], 16),
        cap_amb=int(fields.get("CapAmb", "0"), 16),
        no_new_privs=int(fields.get("NoNewPrivs", "0")), seccomp=int(fields.get("Seccomp", "0")))


def is_gone(pid: int) -> bool:
    """True when the process has exited (a zombie nobody reaped counts as exited)."""
    try:
        return read_status(pid).state.startswith("Z")
    except (FileNotFoundError, ProcessLookupError):
        return True
