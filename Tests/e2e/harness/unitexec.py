"""Runs a command of a systemd unit the way systemd would, on a machine without systemd: the
unit's CapabilityBoundingSet=, SupplementaryGroups=, NoNewPrivileges=, UMask=, SystemCallFilter=
(with SystemCallErrorNumber=EPERM), RestrictAddressFamilies= and MemoryDenyWriteExecute= through
setpriv and a seccomp filter; ProtectSystem=strict, PrivateTmp=, ProtectProc=invisible,
ProcSubset=pid and RuntimeDirectory= in a mount namespace of its own; standard output and error
on a journal stream named by SyslogIdentifier=, with JOURNAL_STREAM set, as systemd does. What it
leaves out (cgroup device and IP filters, namespaces restrictions) the roles' own filters cover."""
import grp
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent


def parse_unit(path: Path) -> dict:
    """{key: [values in order]} of the [Service] section."""
    values: dict = {}
    section = None
    for raw in Path(path).read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
            continue
        if section == "[Service]" and "=" in line:
            key, value = line.split("=", 1)
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def syscall_groups() -> dict:
    """systemd's @groups, from `systemd-analyze syscall-filter`: {"@name": [members]}."""
    out = subprocess.run(["systemd-analyze", "syscall-filter", "--no-pager"], capture_output=True,
                         text=True, check=True).stdout
    groups: dict = {}
    current = None
    for line in out.splitlines():
        if line.startswith("@"):
            current = groups.setdefault(line.strip(), [])
        elif current is not None and line.startswith("    ") and not line.strip().startswith("#"):
            current.append(line.strip())
    return groups


def expand(name: str, groups: dict) -> set:
    if not name.startswith("@"):
        return {name}
    result = set()
    for member in groups.get(name, []):
        result |= expand(member, groups)
    return result


def allowed_syscalls(unit: dict) -> set:
    """The allowlist SystemCallFilter= makes: the first line lists, each "~" line removes."""
    groups = syscall_groups()
    allowed: set = set()
    for value in unit.get("SystemCallFilter", []):
        deny = value.startswith("~")
        names = set()
        for word in value.lstrip("~").split():
            names |= expand(word, groups)
        allowed = allowed - names if deny else allowed | names
    return allowed


def capability_words(unit: dict) -> list:
    caps = " ".join(unit.get("CapabilityBoundingSet", [])).split()
    return [c.lower().removeprefix("cap_") for c in caps]


def wrap(unit: dict, argv: list, work: Path, journal_socket: Path = None) -> list:
    """The command line that runs `argv` as the unit's ExecStart would."""
    assert unit.get("NoNewPrivileges") == ["yes"]
    allow = work / "syscalls.allow"
    allow.write_text("\n".join(sorted(allowed_syscalls(unit))) + "\n")
    # PrivateTmp hides /tmp, where a checkout (CI's fresh clone) may live: the helper goes
    # into the work directory with the allowlist.
    helper = work / "seccompexec.py"
    shutil.copyfile(HERE / "seccompexec.py", helper)
    groups = [str(grp.getgrnam(g).gr_gid) for v in unit.get("SupplementaryGroups", []) for g in v.split()]
    setpriv = ["setpriv", "--bounding-set", ",".join(["-all"] + ["+" + c for c in capability_words(unit)]),
               "--inh-caps", "-all", "--no-new-privs"]
    if groups:
        setpriv += ["--groups", ",".join(groups)]
    runtime = [f"/run/{d}" for v in unit.get("RuntimeDirectory", []) for d in v.split()]
    mode = unit.get("RuntimeDirectoryMode", ["0755"])[-1]
    umask = unit.get("UMask", ["0022"])[-1]
    steps = ["set -e", "mount -t tmpfs -o mode=0755 tmpfs /run"]
    for d in runtime:
        steps.append(f"mkdir -p {d} && chmod {mode} {d}")
    if journal_socket is not None:
        steps += ["mkdir -p /run/systemd/journal", "touch /run/systemd/journal/stdout",
                  f"mount --bind {shlex.quote(str(journal_socket))} /run/systemd/journal/stdout"]
    if unit.get("ProtectProc") == ["invisible"] or unit.get("ProcSubset") == ["pid"]:
        options = []
        if unit.get("ProtectProc") == ["invisible"]:
            options.append("hidepid=invisible")
        if unit.get("ProcSubset") == ["pid"]:
            options.append("subset=pid")
        steps.append(f"mount -t proc -o {','.join(options)} proc /proc")
    if unit.get("PrivateTmp") == ["yes"]:
        steps.append("mount -t tmpfs -o mode=1777 tmpfs /tmp")
    if unit.get("ProtectSystem") == ["strict"]:
        steps.append("mount -o remount,bind,ro /")
    steps.append(f"umask {umask}")
    inner = setpriv + ["--", "python3", str(helper), str(allow), "--"] + argv
    steps.append("exec " + " ".join(shlex.quote(a) for a in inner))
    return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", "\n".join(steps)]


def command_line(unit: dict, key: str) -> list:
    """ExecStart= or ExecStartPre= as argv (without systemd's prefixes such as '-')."""
    value = unit[key][-1].lstrip("-@:+!")
    return shlex.split(value)


def journal_stream_env(sock) -> dict:
    st = os.fstat(sock.fileno())
    return {"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"}


def exposure(unit_path: Path) -> float:
    out = subprocess.run(["systemd-analyze", "security", "--offline=true", "--no-pager", str(unit_path)],
                         capture_output=True, text=True)
    m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", out.stdout + out.stderr)
    if not m:
        raise AssertionError(f"no exposure level in:\n{out.stdout}\n{out.stderr}")
    return float(m.group(1))
