"""The `*-file` keys' files: RADIUS shared secrets and LDAP bind passwords."""
import os


def write_secret(path, secret: str):
    """One line, root's alone (mode 0600): only the supervisor reads it, and hands it to authd."""
    path.write_text(secret + "\n")
    os.chmod(path, 0o600)
    return path
