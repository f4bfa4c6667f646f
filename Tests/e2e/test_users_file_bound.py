"""authd reads a `local` group's users file with a bound (16 MiB): a larger file is not read
whole; logins through it fail as temporarily unavailable and the log names the file."""
from harness.accounts import MAIL_USERS
from harness.imapclient import ImapConnection


def test_an_oversized_users_file_is_refused_naming_it(start_postern, pki):
    postern = start_postern()
    users_file = postern.directory / "users"
    first = users_file.read_text()
    # Valid lines first, then comment lines, which the parser skips: only the size is wrong.
    with open(users_file, "a") as out:
        line = "#" + "x" * 1023 + "\n"
        for _ in range(17 * 1024):
            out.write(line)
    assert users_file.stat().st_size > 16 << 20
    mark = postern.mark()
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        reply = conn.login("alice", MAIL_USERS["alice"])
        assert reply.status == "NO" and "UNAVAILABLE" in reply.text, reply
    result = postern.wait_for("auth-result", since=mark)
    assert "larger than 16 MiB" in result.get("reason", "") and str(users_file) in result["reason"], result
    users_file.write_text(first)
    with ImapConnection(postern.port, pki.ca_cert) as conn:
        assert conn.login("alice", MAIL_USERS["alice"]).ok
