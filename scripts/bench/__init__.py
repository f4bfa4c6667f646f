"""The pieces of scripts/bench.py: SPEC §9's figures, measured from outside the processes.

Each module holds one thing: reading /proc, an IMAP client lean enough to load a proxy, the
tuned Dovecot, the proxies under test (postern, nginx), the four figures, the report.
"""
