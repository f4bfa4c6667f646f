"""seccompexec.py ALLOWLIST -- PROGRAM ARGS...: installs a seccomp filter the way systemd does for
SystemCallFilter= (an allowlist; anything else fails with EPERM, SystemCallErrorNumber=EPERM),
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX and MemoryDenyWriteExecute=yes, then execs
PROGRAM. ALLOWLIST holds one system call name a line. Needs no_new_privs already set."""
import ctypes
import errno
import os
import sys

SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_CMP_EQ = 4
SCMP_CMP_MASKED_EQ = 7
PROT_WRITE, PROT_EXEC = 0x2, 0x4
AF_UNIX, AF_INET, AF_INET6 = 1, 2, 10


class ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int),
                ("datum_a", ctypes.c_uint64), ("datum_b", ctypes.c_uint64)]


def main() -> None:
    allow_file, rest = sys.argv[1], sys.argv[2:]
    if rest and rest[0] == "--":
        rest = rest[1:]
    lib = ctypes.CDLL("libseccomp.so.2", use_errno=True)
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int,
                                           ctypes.c_uint, ctypes.POINTER(ArgCmp)]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    ctx = lib.seccomp_init(0x00050000 | errno.EPERM)          # SCMP_ACT_ERRNO(EPERM)

    def rule(name: str, *conditions) -> None:
        number = lib.seccomp_syscall_resolve_name(name.encode())
        if number < 0:
            return                                          # unknown to this libseccomp
        array = (ArgCmp * max(1, len(conditions)))(*conditions)
        rc = lib.seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, number, len(conditions), array)
        if rc != 0:
            raise SystemExit(f"seccompexec: rule for {name}: {rc}")

    special = {"socket", "mmap", "mprotect", "pkey_mprotect"}
    names = {line.strip() for line in open(allow_file) if line.strip()}
    for name in sorted(names - special):
        rule(name)
    if "socket" in names:
        for family in (AF_UNIX, AF_INET, AF_INET6):
            rule("socket", ArgCmp(0, SCMP_CMP_EQ, family, 0))
    if "mmap" in names:       # never writable and executable at once
        rule("mmap", ArgCmp(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0))
        rule("mmap", ArgCmp(2, SCMP_CMP_MASKED_EQ, PROT_WRITE, 0))
    for name in ("mprotect", "pkey_mprotect"):
        if name in names:     # never made executable later
            rule(name, ArgCmp(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0))
    if lib.seccomp_load(ctx) != 0:
        raise SystemExit("seccompexec: seccomp_load failed")
    os.execv(rest[0], rest)


if __name__ == "__main__":
    main()
