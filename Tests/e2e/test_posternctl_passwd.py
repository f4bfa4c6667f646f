"""posternctl passwd --file writes the new users file beside the old and renames it into place;
the temporary file is created afresh (O_CREAT|O_EXCL|O_NOFOLLOW), so a symbolic link or a file
planted under its name is never written through."""
import subprocess

from harness.paths import binary


def passwd(users_file, user="alice", password="s3cret-Pw"):
    return subprocess.run([str(binary("posternctl")), "passwd", "--scheme", "sha512", "--file", str(users_file), user],
                          input=password + "\n", capture_output=True, text=True, timeout=30)


def test_passwd_adds_a_user(tmp_path):
    users = tmp_path / "users"
    users.write_text("bob:$6$x$y\n")
    result = passwd(users)
    assert result.returncode == 0, result.stderr
    lines = users.read_text().splitlines()
    assert lines[0] == "bob:$6$x$y" and lines[1].startswith("alice:$6$"), lines
    assert not (tmp_path / "users.posternctl-new").exists()


def test_passwd_does_not_write_through_a_planted_link(tmp_path):
    users = tmp_path / "users"
    users.write_text("bob:$6$x$y\n")
    victim = tmp_path / "victim"
    victim.write_text("keep me\n")
    (tmp_path / "users.posternctl-new").symlink_to(victim)
    result = passwd(users)
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "users.posternctl-new" in result.stderr, result.stderr
    assert victim.read_text() == "keep me\n"
    assert users.read_text() == "bob:$6$x$y\n"
