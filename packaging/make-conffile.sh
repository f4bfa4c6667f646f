#!/bin/sh
# Writes /etc/postern/postern.toml as the Debian package installs it, from the repository's example
# (packaging/postern.toml, which shows every key with its default): the same text with every
# setting commented out, except the TLS certificate made at installation and the admin socket.
# So the installed daemon starts, listens nowhere, reads no secret file and asks no AAA server,
# and every key is still there to uncomment. Usage: make-conffile.sh EXAMPLE > OUTPUT
set -eu
example=${1:?usage: make-conffile.sh packaging/postern.toml}
cat <<'HEADER'
# /etc/postern/postern.toml: configuration of postern, the TLS e-mail proxy; postern.toml(5).
#
# As installed, postern listens nowhere: it loads the certificate made at installation and serves
# the admin socket of posternctl(8). Every key is shown below, commented out, with its default in
# [brackets]; a key left out takes its default. Keys are kebab-case; unknown keys are errors.
# Uncomment what you need, run `postern check-config` (exit 0: valid), then
# `systemctl reload postern` or `posternctl reload`: new sessions use the new configuration,
# established ones are kept. /usr/share/doc/postern/examples/postern.toml is the same example
# with every key active.
#
# The systemd unit lets postern exchange packets with localhost only (IPAddressAllow=localhost).
# Once you enable a proxy, open it to your clients, mail hosts, AAA servers and DNS resolver:
#     systemctl edit postern
#         [Service]
#         IPAddressAllow=any              (or the networks postern serves and reaches)
#
# Secrets never go in this file: RADIUS secrets, LDAP bind passwords and the TLS private key sit
# in separate files named by the *-file keys (and private-key), readable by root alone. All file
# names are absolute.
#
# Durations are strings: "0", "500ms", "5s", "30m", "2h", "1d".
HEADER
echo
# The example's own header ends where its first section rule starts.
awk '
    BEGIN { body = 0; table = "" }
    /^# -----/ { body = 1 }
    !body { next }
    /^[ \t]*$/ || /^[ \t]*#/ { print; next }
    /^[ \t]*\[/ {
        table = $0
        sub(/[ \t]*#.*/, "", table)
        if (table == "[tls]" || table == "[admin]") print; else print "#" $0
        next
    }
    {
        key = $0
        sub(/[ \t]*=.*/, "", key)
        sub(/^[ \t]*/, "", key)
        keep = (table == "[tls]" && (key == "certificate" || key == "private-key")) || table == "[admin]"
        if (keep) print; else print "#" $0
    }
' "$example"
