"""A run folder written as a transaction: the previous complete run, or the new complete one.

:func:`run_transaction` stages a run (or one stage's command) into a fresh folder beside the target
and, only when the block succeeds, swaps it into place in one step; a failure, Ctrl-C or ``kill -9``
leaves the previous run as it was (a killed run's staging folder is removed by the next run). A lock
(see :class:`_Lock`) refuses a second writer at once instead of letting files interleave.

A stage command on an existing run folder starts from the folder's files (hard links, so nothing is
copied) and, on success, drops every file it did not rewrite among its own outputs and those of the
stages that depend on it: new tiers never sit beside a schedule made from the old ones, and an agent
who left has no calendar. ``run.json`` carries the run id and, per file, a SHA-256 and the run that
wrote it; :func:`check_run` is how ``planner report`` refuses files that are not the ones the run
folder's runs wrote.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import json
import os
import secrets
import shutil
import socket
import struct
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from planner.errors import ContractError, PlannerError
from planner.io.runfolder import STAGE_NEEDS, dependants, stage_outputs
from planner.io.writers import new_dir_mode, write_text

MANIFEST = "run.json"

class RunLockedError(PlannerError):
    """Another process is writing the same run folder."""


def new_run_id() -> str:
    """A run id: UTC time to the second and 24 random bits (sortable, unique in practice)."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def _owned_by(rel: str, stages: set[str]) -> bool:
    for s in stages:
        for name in stage_outputs(s):
            if rel == name or (name.endswith("/") and rel.startswith(name)):
                return True
    return False


def _lock_name(target: Path) -> bytes:
    """The abstract socket that stands for ``target``'s lock: one name per folder, however the
    path is spelled (the parent's device and inode, and the folder's name)."""
    st = os.stat(target.parent)
    key = f"{st.st_dev}:{st.st_ino}:{target.name}".encode("utf-8", "surrogateescape")
    return b"\0planner-run-lock-" + hashlib.sha256(key).hexdigest()[:40].encode()


# Lock sockets this process holds: a forked child (a simulation worker) must not keep a killed
# parent's lock alive, so each child closes them.
_HELD: set[socket.socket] = set()


def _close_in_child() -> None:
    for sock in list(_HELD):
        with suppress(OSError):
            sock.close()
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_in_child)


@dataclass
class _Lock:
    """One writer per run folder.

    On Linux the lock is a listening socket in the abstract namespace: it exists only while its
    process does, so a killed run leaves no lock behind (nothing in the file system at all).
    Elsewhere it is an ``flock`` on a file beside the folder, which a kill leaves in place (holding
    no lock) and the next run removes.
    """

    target: Path
    sock: socket.socket | None = None
    fd: int = -1

    @property
    def path(self) -> Path:
        return self.target.parent / f".{self.target.name}.lock"

    def acquire(self) -> None:
        if hasattr(socket, "AF_UNIX") and sys.platform.startswith("linux"):
            name = _lock_name(self.target)
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.bind(name)
            except OSError as err:
                sock.close()
                if err.errno != errno.EADDRINUSE:
                    raise
                self._refuse(_socket_holder(name))
            sock.listen(8)
            self.sock = sock
            _HELD.add(sock)
            with suppress(FileNotFoundError):
                self.path.unlink()  # a lock file left by an older version or another platform
            return
        self._acquire_file()

    def _refuse(self, holder: str) -> None:
        raise RunLockedError(
            f"{self.target} is being written by another planner run ({holder or 'unknown'}); "
            "wait for it to finish or choose another --out") from None

    def _acquire_file(self) -> None:
        import fcntl

        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 200).decode("utf-8", "replace").strip()
                os.close(fd)
                self._refuse(holder)
            # The file may have been removed by the previous holder between open and lock.
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}, since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC".encode())
        self.fd = fd

    def release(self) -> None:
        if self.sock is not None:
            _HELD.discard(self.sock)
            self.sock.close()
            self.sock = None
        if self.fd >= 0:
            with suppress(FileNotFoundError):
                self.path.unlink()
            os.close(self.fd)
            self.fd = -1


def _socket_holder(name: bytes) -> str:
    """'pid N' of the process listening on ``name`` (its credentials, from the kernel)."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(2)
            probe.connect(name)
            creds = probe.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        pid = struct.unpack("3i", creds)[0]
    except OSError:
        return ""
    return f"pid {pid}"


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap_in(staging: Path, target: Path, old: Path) -> None:
    """Put ``staging`` at ``target``; the previous folder (if any) ends at ``old``."""
    if not target.exists():
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        os.rename(staging, old)
        return
    # Two renames: a kill between them leaves ``old`` complete; :func:`_recover` renames it back.
    os.rename(target, old)
    os.rename(staging, target)


def _leftovers(target: Path) -> list[Path]:
    return sorted(target.parent.glob(f".{target.name}.staging-*")) + \
        sorted(target.parent.glob(f".{target.name}.old-*"))


def _recover(target: Path) -> None:
    """Undo what a killed run left beside ``target`` (we hold the lock, so nobody else is writing)."""
    olds = sorted(target.parent.glob(f".{target.name}.old-*"))
    if not target.exists() and olds:
        os.rename(olds[-1], target)
    for p in _leftovers(target):
        shutil.rmtree(p, ignore_errors=True)


def _files(folder: Path) -> dict[str, os.stat_result]:
    out = {}
    for p in folder.rglob("*"):
        if p.is_file() and not p.is_symlink():
            out[p.relative_to(folder).as_posix()] = p.stat()
    return out


def _carry(src: Path, dst: Path, only: tuple[str, ...] | None = None) -> dict[str, tuple[int, int]]:
    """Hard-link (or copy) every file of ``src`` (or those under the prefixes ``only``) into
    ``dst``; their identities, by relative path."""
    carried = {}
    for rel in _files(src):
        if only is not None and not rel.startswith(only):
            continue
        s, d = src / rel, dst / rel
        d.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(s, d)
        except OSError:
            shutil.copy2(s, d)
        st = d.stat()
        carried[rel] = (st.st_dev, st.st_ino)
    return carried


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_manifest(folder: Path) -> dict:
    try:
        return json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return {}


def update_manifest(run_folder: str | Path, /, **fields) -> dict:
    """Merge ``fields`` into ``run_folder/run.json`` (written atomically); the merged content."""
    manifest = read_manifest(Path(run_folder))
    manifest.update(fields)
    write_text(json.dumps(manifest, indent=2) + "\n", Path(run_folder) / MANIFEST)
    return manifest


def _name_target(err: BaseException, staging: Path, target: Path) -> None:
    """Say the run folder's name where a message names the staging folder the user never sees."""
    def fix(text: object) -> object:
        return text.replace(str(staging), str(target)) if isinstance(text, str) else text

    err.args = tuple(fix(a) for a in err.args)
    if isinstance(err, ContractError):
        err.problems = [replace(p, file=fix(p.file)) for p in err.problems]
    if isinstance(err, OSError):
        err.filename = fix(err.filename)
        err.filename2 = fix(err.filename2)


@contextmanager
def run_transaction(out: str | Path, stage: str, *, fresh: bool = False,
                    keep: tuple[str, ...] = ()) -> Iterator[Path]:
    """Yield a staging folder to write ``out``'s files into; swap it into place on success.

    ``stage`` is a stage of :data:`STAGE_NEEDS`, or ``"run"`` (every stage). ``fresh`` starts from
    an empty folder (a whole run) but for the files under the ``keep`` prefixes (the calendars, whose
    next version numbers its events from the last); otherwise the folder's present files are
    carried over. Either way the files of ``stage`` and its dependants that the block did not
    rewrite are dropped at the end.
    On failure the staging folder is removed and the exception gets a note that ``out`` is unchanged.
    """
    target = Path(out).absolute()
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "--out names a file, not a folder", str(out))
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = _Lock(target)
    lock.acquire()
    staging: Path | None = None
    try:
        _recover(target)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
        os.chmod(staging, new_dir_mode())
        run_id = new_run_id()
        carried: dict[str, tuple[int, int]] = {}
        previous = {} if fresh or not target.is_dir() else read_manifest(target)
        if target.is_dir() and (keep or not fresh):
            carried = _carry(target, staging, keep if fresh else None)
        started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        update_manifest(staging, run_id=run_id, stage=stage, folder=str(Path(out)), started=started,
                        complete=False)
        carried.pop(MANIFEST, None)
        try:
            yield staging
        except BaseException as err:
            _name_target(err, staging, Path(out))
            if hasattr(err, "add_note"):
                err.add_note(f"{out} is unchanged: "
                             + ("it still holds the previous complete run" if target.exists()
                                else "nothing was written"))
            raise
        stale = dependants(stage) if stage != "run" else set(STAGE_NEEDS)
        for rel, ident in carried.items():
            p = staging / rel
            if _owned_by(rel, stale) and p.exists():
                st = p.stat()
                if (st.st_dev, st.st_ino) == ident:
                    p.unlink()
        for d in sorted((p for p in staging.rglob("*") if p.is_dir()), reverse=True):
            if not any(d.iterdir()):
                d.rmdir()
        old_files = previous.get("files", {})
        files = {}
        for rel in sorted(_files(staging)):
            if rel == MANIFEST:
                continue
            p = staging / rel
            st = p.stat()
            kept = carried.get(rel) == (st.st_dev, st.st_ino) and rel in old_files
            files[rel] = {"sha256": sha256(p), "run": old_files[rel]["run"] if kept else run_id}
        update_manifest(staging, files=files, complete=True,
                        finished=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        old = target.parent / f".{target.name}.old-{run_id}"
        _swap_in(staging, target, old)
        staging = None
        shutil.rmtree(old, ignore_errors=True)
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        lock.release()


def check_run(folder: str | Path) -> list[str]:
    """Files of ``folder`` that are not what its runs wrote (changed, copied in, or unrecorded).

    Empty when every file matches ``run.json`` (or when the folder has no record at all: a folder
    written by hand or by an older version has nothing to check against).
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    recorded = manifest.get("files")
    if not isinstance(recorded, dict):
        return []
    problems = []
    present = {rel for rel in _files(folder) if rel != MANIFEST}
    for rel in sorted(present):
        entry = recorded.get(rel)
        if entry is None:
            if _owned_by(rel, set(STAGE_NEEDS)):
                problems.append(f"{rel} is not from run {manifest.get('run_id', '?')} "
                                "(run.json does not list it)")
        elif sha256(folder / rel) != entry.get("sha256"):
            problems.append(f"{rel} differs from the file run {entry.get('run', '?')} wrote")
    for rel in sorted(set(recorded) - present):
        if not _owned_by(rel, {"report"}):
            problems.append(f"{rel} of run {recorded[rel].get('run', '?')} is missing")
    return problems
