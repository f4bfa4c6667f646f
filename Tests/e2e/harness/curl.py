"""curl against postern's IMAPS port, always verifying the certificate with --cacert."""
import subprocess
from urllib.parse import quote

LOGIN_DENIED = 67   # curl's exit code when the server refuses the login


def imaps(port: int, path: str, user: str, password: str, cafile, login_options: str = None,
          extra=(), host: str = "127.0.0.1", timeout: float = 30) -> subprocess.CompletedProcess:
    # Credentials go in the URL, percent-encoded: `-u` would split a "vpn:mail" username.
    userinfo = f"{quote(user, safe='')}:{quote(password, safe='')}"
    argv = ["curl", "--silent", "--show-error", "--max-time", str(int(timeout)),
            "--cacert", str(cafile), f"imaps://{userinfo}@{host}:{port}/{path}"]
    if login_options:
        argv += ["--login-options", login_options]
    argv += list(extra)
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout + 5)
