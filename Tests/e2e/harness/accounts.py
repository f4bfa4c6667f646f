"""The people in the tests: mail accounts on Dovecot and VPN accounts in postern's users file.

With one username, one password serves both sides (SPEC §3), so every mail user is also a
VPN user with the same password; `vpnuser` exists only on the VPN side, with its own password.
"""

MAIL_USERS = {
    "alice": "alicepw",
    "bob": "bobpw",
    "carol": "carolpw",
    "dave": "davepw",
    "alice@example.org": "orgpw-Kq7v",
}

VPN_USER = "vpnuser"
VPN_PASSWORD = "vpnpass-Wd3x"

# Sent by tests that expect a refusal; must never reach the log either.
WRONG_PASSWORD = "wrongpw-Zx81"


def vpn_users(**extra) -> dict:
    """Entries for postern's local users file: every mail user, `vpnuser`, and `extra`."""
    return {**MAIL_USERS, VPN_USER: VPN_PASSWORD, **extra}


def all_passwords() -> set:
    return {*MAIL_USERS.values(), VPN_PASSWORD, WRONG_PASSWORD}
