"""postern's local users file: `name:crypt-hash[:group-policy]`, one a line."""
import subprocess
from pathlib import Path


def sha512_crypt(password: str) -> str:
    # openssl rather than Python's crypt module, which is deprecated and gone in 3.13.
    result = subprocess.run(["openssl", "passwd", "-6", "-stdin"], input=password,
                            capture_output=True, text=True, check=True)
    return result.stdout.strip()


def write_users_file(path: Path, users: dict, policies: dict = None) -> None:
    """users: name -> password; policies: name -> group policy for the optional third column."""
    policies = policies or {}
    lines = []
    for name, password in users.items():
        fields = [name, sha512_crypt(password)]
        if name in policies:
            fields.append(policies[name])
        lines.append(":".join(fields))
    path.write_text("\n".join(lines) + "\n")
