"""posternctl against a running postern's admin socket."""
import json
import subprocess

from .paths import binary


def posternctl(postern, *args, as_user: str = None, groups: str = None, json_output: bool = False):
    argv = [str(binary("posternctl")), "--socket", str(postern.directory / "admin.sock")]
    if json_output:
        argv.append("--json")
    argv += list(args)
    if as_user:
        prefix = ["setpriv", f"--reuid={as_user}", f"--regid={as_user if as_user != 'nobody' else 'nogroup'}"]
        prefix += [f"--groups={groups}"] if groups else ["--clear-groups"]
        argv = prefix + ["--"] + argv
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if json_output and result.stdout.strip():
        result.json = json.loads(result.stdout)
    return result
