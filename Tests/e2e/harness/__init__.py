"""Helpers shared by the end-to-end tests and scripts/demo.sh.

Each module holds one thing: ports, certificates, the Dovecot mail host, the local
users file, the postern daemon and its log, IMAP clients, /proc readers.
"""
