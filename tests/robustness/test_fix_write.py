"""``--fix`` never loses an edit and never damages a file's identity.

The write of a fixed file, through the real CLI on real files: an editor saving between our
fsync and our rename, a read-only file, a file owned by someone else, a hard-linked file,
SIGTERM/SIGINT in the middle of the write (a real subprocess), and encodings that cannot be
written back byte for byte. ``fixes.before_replace`` is the one seam: it stands for the *user's*
editor acting at the worst moment, never for our own code.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from helpers import CLIENT_IN_HANDLER, FIXED, run_cli, write
from lambdalint import fixes
from lambdalint.findings import Edit, Fix

CHANGED = "not written: it changed on disk while lambdalint ran; run again"


def fix(root: Path, *paths: str):
    return run_cli(["check", "--select", "LL102", "--no-cache", "--fix", *(paths or ["."])],
                   cwd=root)


def leftovers(root: Path):
    return sorted(p.name for p in root.rglob("*lambdalint-tmp*"))


# -- 1. an editor saving between our fsync and our rename ------------------------------------------


def _append(path: Path) -> None:
    with open(path, "ab") as handle:
        handle.write(b"# saved by the editor\n")


def _save_by_rename(path: Path) -> None:
    """Most editors: write a new file, rename it over the old one (same bytes here)."""
    other = path.with_name(path.name + ".swp")
    other.write_bytes(path.read_bytes())
    os.replace(other, path)


def _same_size_same_mtime(path: Path) -> None:
    """Bytes changed in place, size kept, mtime put back: only the content tells."""
    before = path.stat()
    data = path.read_bytes().replace(b"list_buckets", b"list_BUCKETS")
    with open(path, "r+b") as handle:
        handle.write(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


@pytest.mark.parametrize("linked", [False, True], ids=["renamed", "hard-linked"])
@pytest.mark.parametrize("save", [_append, _save_by_rename, _same_size_same_mtime],
                         ids=["append", "rename", "same-size-same-mtime"])
def test_an_editor_save_between_fsync_and_rename_is_kept(tmp_path, monkeypatch, save, linked):
    write(tmp_path, {"app.py": CLIENT_IN_HANDLER})
    path = tmp_path / "app.py"
    if linked:
        os.link(path, tmp_path / "other-name")
    saved = []

    def editor(target: Path) -> None:
        assert target == path
        save(path)
        saved.append(path.read_bytes())

    monkeypatch.setattr(fixes, "before_replace", editor)
    code, out, err = fix(tmp_path, "app.py")
    assert saved, "the editor never ran"
    assert f"app.py: {CHANGED}" in err, err
    assert path.read_bytes() == saved[0]  # the editor's save, whole, nothing of ours
    assert code == 1  # the finding is still there
    assert leftovers(tmp_path) == []


# -- 2. and 3. the file's mode and owner -----------------------------------------------------------


@pytest.mark.parametrize("mode", [0o444, 0o440, 0o400, 0o555])
def test_a_read_only_file_is_refused(tmp_path, mode):
    write(tmp_path, {"app.py": CLIENT_IN_HANDLER})
    path = tmp_path / "app.py"
    os.chmod(path, mode)
    inode = path.stat().st_ino
    code, out, err = fix(tmp_path)
    assert f"app.py: not written: it is read-only (mode {mode:04o})" in err, err
    assert path.read_text() == CLIENT_IN_HANDLER
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert path.stat().st_ino == inode
    assert code == 1
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="giving a file to another user needs root")
@pytest.mark.parametrize("mode", [0o640, 0o604, 0o2664])
def test_owner_group_and_mode_are_kept(tmp_path, mode):
    write(tmp_path, {"app.py": CLIENT_IN_HANDLER})
    path = tmp_path / "app.py"
    os.chown(path, 12345, 23456)
    os.chmod(path, mode)  # after chown: chown clears the set-id bits
    code, out, err = fix(tmp_path)
    assert (code, err) == (0, ""), err
    assert path.read_text() == FIXED
    info = path.stat()
    assert (info.st_uid, info.st_gid) == (12345, 23456)
    assert stat.S_IMODE(info.st_mode) == mode
    assert leftovers(tmp_path) == []


# -- 4. hard links ---------------------------------------------------------------------------------


def test_a_hard_linked_file_is_written_in_place(tmp_path):
    write(tmp_path, {"src/app.py": CLIENT_IN_HANDLER})
    path = tmp_path / "src" / "app.py"
    other = tmp_path / "backup.txt"  # not Python: only app.py is checked
    os.link(path, other)
    inode = path.stat().st_ino
    code, out, err = fix(tmp_path)
    assert (code, err) == (0, ""), err
    assert path.read_text() == FIXED
    assert other.read_text() == FIXED  # the other name sees the same, fixed file
    assert path.stat().st_ino == inode == other.stat().st_ino
    assert path.stat().st_nlink == 2
    assert leftovers(tmp_path) == []


def test_a_hard_linked_file_that_shrinks_is_truncated(tmp_path):
    # The fix moves one line and merges two clients into one: the file gets shorter.
    source = ("import boto3\n\n\ndef a(event, context):\n    s3 = boto3.client('s3')\n    return s3\n\n\n"
              "def b(event, context):\n    s3 = boto3.client('s3')\n    return s3\n")
    write(tmp_path, {"app.py": source})
    path = tmp_path / "app.py"
    os.link(path, tmp_path / "twin.txt")
    code, out, err = fix(tmp_path, "app.py")
    assert (code, err) == (0, ""), err
    fixed = path.read_text()
    assert fixed.count("boto3.client") == 1
    assert (tmp_path / "twin.txt").read_text() == fixed
    compile(fixed, "app.py", "exec")


# -- 5. SIGTERM and SIGINT in the middle of the write ----------------------------------------------


# A run of the real CLI in a subprocess, where the "editor" sends us a signal between the fsync
# of the temporary file and the rename: the worst moment for a temporary file to be left behind.
KILLER = textwrap.dedent("""
    import os, signal, sys
    from lambdalint import fixes
    from lambdalint.cli import main
    signum = getattr(signal, sys.argv[1])
    fixes.before_replace = lambda path: os.kill(os.getpid(), signum)
    main(sys.argv[2:])
""")


@pytest.mark.parametrize("linked", [False, True], ids=["renamed", "hard-linked"])
@pytest.mark.parametrize("signame, code", [("SIGTERM", 143), ("SIGINT", 130)])
def test_a_signal_between_fsync_and_rename_leaves_no_temporary_file(tmp_path, signame, code,
                                                                    linked):
    write(tmp_path, {"app.py": CLIENT_IN_HANDLER})
    if linked:
        os.link(tmp_path / "app.py", tmp_path / "twin.txt")
    done = subprocess.run([sys.executable, "-c", KILLER, signame, "check", "--select", "LL102",
                           "--no-cache", "--fix", "app.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    # SIGTERM: 143 from the handler the write installs; SIGINT: click's Abort (2) or 130.
    assert done.returncode == code or (signame == "SIGINT" and done.returncode == 2), \
        (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    assert leftovers(tmp_path) == []
    assert (tmp_path / "app.py").read_text() == CLIENT_IN_HANDLER  # the old text, whole
    if linked:
        assert (tmp_path / "twin.txt").read_text() == CLIENT_IN_HANDLER


def test_sigterm_during_a_long_fix_leaves_every_file_old_or_new(tmp_path):
    """A real SIGTERM from outside, while a couple of hundred files are being fixed. One process
    (--jobs 1): this is about the write, and a worker pool would outlive the killed parent."""
    padding = "# padding line to make the file a little longer\n" * 50
    count = 200
    write(tmp_path, {f"pkg/m{i}.py": CLIENT_IN_HANDLER + padding for i in range(count)})
    new = FIXED + padding
    old = CLIENT_IN_HANDLER + padding
    files = [tmp_path / "pkg" / f"m{i}.py" for i in range(count)]
    with open(tmp_path / "stderr.txt", "w+") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "lambdalint", "check", "--select",
                                    "LL102", "--no-cache", "--jobs", "1", "--fix", "."],
                                   cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=stderr)
        deadline = time.monotonic() + 240
        try:
            # Wait for the first fixed file: the run is now in its write loop.
            while time.monotonic() < deadline and process.poll() is None:
                if any(f.stat().st_size == len(new) for f in files[:20]):
                    break
                time.sleep(0.01)
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        stderr.seek(0)
        err = stderr.read()
    # 143 when it lands in a write (SystemExit from the handler the write installs), killed by
    # the signal when it lands between two writes.
    assert code in (143, -signal.SIGTERM), (code, err)
    assert "Traceback" not in err, err
    assert leftovers(tmp_path) == []
    texts = [f.read_text() for f in files]
    assert all(t in (old, new) for t in texts)
    assert new in texts and old in texts  # it was stopped inside the write loop


# -- 6. encodings, BOMs, line endings --------------------------------------------------------------


def test_unicode_escape_file_is_not_rewritten(tmp_path):
    """Decoding with unicode_escape keeps real newlines; encoding turns them into "\\n": the
    whole file would become one line. No fix for such a file, and it says why."""
    data = b"# coding: unicode_escape\n" + CLIENT_IN_HANDLER.encode()
    write(tmp_path, {"app.py": data})
    path = tmp_path / "app.py"
    code, out, err = fix(tmp_path)
    assert ("app.py: no fix: its encoding (unicode_escape) does not write back the bytes it "
            "read") in err, err
    assert path.read_bytes() == data
    assert code == 1
    # --diff shows nothing for it either.
    code, out, err = run_cli(["check", "--select", "LL102", "--no-cache", "--diff", "."],
                             cwd=tmp_path)
    assert out == ""
    assert "0 files would be changed" in err


@pytest.mark.parametrize("codec", ["utf-16", "utf-32", "utf-16-le"])
def test_a_wide_encoding_is_never_written(tmp_path, codec):
    data = CLIENT_IN_HANDLER.encode(codec)
    write(tmp_path, {"app.py": data})
    code, out, err = fix(tmp_path)
    assert (tmp_path / "app.py").read_bytes() == data
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("encoding, bom, newline", [
    ("utf-8", b"\xef\xbb\xbf", "\r\n"),
    ("latin-1", b"", "\r\n"),
    ("cp1252", b"", "\n"),
])
def test_encoding_bom_and_line_endings_are_kept(tmp_path, encoding, bom, newline):
    cookie = "" if bom else f"# -*- coding: {encoding} -*-\n"
    comment = "# café\n" if encoding == "latin-1" else "# café €uro\n"
    before = cookie + comment + CLIENT_IN_HANDLER
    after = cookie + comment + FIXED
    data = bom + before.replace("\n", newline).encode(encoding)
    write(tmp_path, {"app.py": data})
    code, out, err = fix(tmp_path)
    assert (code, err) == (0, ""), err
    assert (tmp_path / "app.py").read_bytes() == bom + after.replace("\n", newline).encode(encoding)


def test_inserted_lines_take_the_files_line_ending():
    """A fix written with "\\n" in a CRLF file: the new lines get CRLF, nothing is mixed."""
    text = "import boto3\r\n\r\ndef handler(event, context):\r\n    return 1\r\n"
    edit = Fix("hoist", (Edit(line=2, column=1, end_line=2, end_column=1, text="X = 1\n\n"),))
    outcome = fixes.fix_text("app.py", text, [edit], lambda t: None)
    assert outcome.after == ("import boto3\r\nX = 1\r\n\r\n\r\ndef handler(event, context):\r\n"
                             "    return 1\r\n")


def test_a_character_the_encoding_cannot_hold_is_refused(tmp_path):
    """The fix text is made from the file's own text, but if an edit ever brought a character
    the file's encoding cannot write, the file is left alone with a note."""
    text = "# -*- coding: latin-1 -*-\nX = 1\n"
    edit = Fix("add", (Edit(line=2, column=1, end_line=2, end_column=1, text="Y = '€'\n"),))
    outcome = fixes.fix_text("app.py", text, [edit], lambda t: None,
                             data=text.encode("latin-1"), encoding="iso-8859-1")
    assert outcome.applied == 0 and outcome.after == text
    assert outcome.error == ("no fix: its encoding (iso-8859-1) cannot hold the fixed text; "
                             "nothing written")
