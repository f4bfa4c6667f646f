"""curl against postern's IMAPS, POP3S and SMTPS ports, always verifying the certificate
with --cacert."""
import subprocess
from urllib.parse import quote

LOGIN_DENIED = 67   # curl's exit code when the server refuses the login


def _run(scheme: str, port: int, path: str, user: str, password: str, cafile, login_options: str = None,
         extra=(), host: str = "127.0.0.1", timeout: float = 30) -> subprocess.CompletedProcess:
    # Credentials go in the URL, percent-encoded: `-u` would split a "vpn:mail" username.
    userinfo = "" if user is None else f"{quote(user, safe='')}:{quote(password, safe='')}@"
    argv = ["curl", "--silent", "--show-error", "--max-time", str(int(timeout)),
            "--cacert", str(cafile), f"{scheme}://{userinfo}{host}:{port}/{path}"]
    if login_options:
        argv += ["--login-options", login_options]
    argv += list(extra)
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout + 5)


def imaps(port: int, path: str, user: str, password: str, cafile, **options) -> subprocess.CompletedProcess:
    return _run("imaps", port, path, user, password, cafile, **options)


def pop3s(port: int, path: str, user: str, password: str, cafile, **options) -> subprocess.CompletedProcess:
    """`path` "" lists the messages, "N" retrieves message N. Without login_options curl
    uses SASL when CAPA offers it; "AUTH=PLAIN" chooses PLAIN."""
    return _run("pop3s", port, path, user, password, cafile, **options)


def smtps(port: int, user: str, password: str, cafile, sender: str, recipient: str, message_file,
          extra=(), **options) -> subprocess.CompletedProcess:
    """Sends the file (the whole of DATA, CRLF line ends) after AUTH (login_options
    "AUTH=PLAIN" or "AUTH=LOGIN"); with `user` None, without AUTH."""
    extra = ["--mail-from", sender, "--mail-rcpt", recipient, "--upload-file", str(message_file), *extra]
    return _run("smtps", port, "", user, password, cafile, extra=extra, **options)
