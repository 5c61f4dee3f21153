"""Publishing a static site safely: release folders swapped in atomically, in-place
updates journalled, and no path ever written outside the site or through a symlink.

Layout, for ``portal build /srv/site``::

    /srv/site                   -> site.releases/r-000042-20261126T101500   (a symlink)
    /srv/site.releases/
        r-000042-20261126T101500/  the published release: c/<token>/index.html, assets...
        r-000041-20261125T090000/  the previous one, for --rollback
        r-....manifest.json      what each release holds (never inside a release:
                                 it lists tokens, and tokens are the candidates' keys)
        r-....journal.json       an in-place update in progress (rolled forward)
        .staging/                pages written for an in-place update, not yet renamed
        .lock

The build's own files (the lock, manifests, journals, staged pages) are opened with
O_NOFOLLOW, and a symlink at site.releases, at .staging or among the releases is
refused: the build would write, delete or rename where someone else chose.

A full build writes a new release and swaps the symlink with one rename, so readers
see the complete previous or the complete new site. An incremental build changes few
pages: it stages each new page in .staging/, records every rename in a journal, then
renames; each page is replaced atomically, and a build killed half-way is rolled
forward by the next one.
"""

import errno
import fcntl
import json
import os
import re
import secrets
import shutil
from contextlib import contextmanager
from datetime import datetime
from datetime import UTC
from pathlib import Path

from portal import files

#: A path segment we write: tokens, asset names. Nothing that could climb or hide.
SAFE_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,511}$")
STAGED = ".staged-"


class UnsafePath(Exception):
    """A path would escape the site, follow a symlink, or is not ours to replace."""


class Site:
    """One published site folder and its releases."""

    def __init__(self, out: str | os.PathLike):
        self.out = Path(os.path.abspath(out))
        self.releases = self.out.parent / f"{self.out.name}.releases"

    # --- releases -----------------------------------------------------------------

    def current(self) -> Path | None:
        """The release the site points at, or None before the first build."""
        if not os.path.lexists(self.out):
            return None
        if not self.out.is_symlink():
            if self.out.is_dir() and not any(self.out.iterdir()):
                self.out.rmdir()  # an empty folder made by hand: ours to take over
                return None
            raise UnsafePath(
                f"{self.out} exists and is not a site made by `portal build`; "
                "choose a new folder or remove it."
            )
        target = (self.out.parent / os.readlink(self.out)).resolve()
        if target.parent != self.releases.resolve():
            raise UnsafePath(f"{self.out} points outside {self.releases}; refusing to touch it.")
        return target

    def new_release(self) -> Path:
        """An empty release folder, not yet published, numbered after every other."""
        self._make_releases()
        numbers = [int(r.name.split("-")[1]) for r in self._all_releases()]
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.releases / f"r-{max(numbers, default=0) + 1:06d}-{stamp}"
        os.mkdir(path)  # both new: nothing planted there is followed
        os.mkdir(path / "c")
        return path

    def _make_releases(self) -> None:
        """Make the releases folder (and the site's missing parents), refusing a symlink
        there. Not private: the web server reads the published release through it."""
        if self.releases.is_symlink():
            raise UnsafePath(
                f"{self.releases} is a symlink; refusing to use it for the site's releases."
            )
        self.releases.mkdir(parents=True, exist_ok=True)

    def swap(self, release: Path) -> None:
        """Point the site at ``release`` with one atomic rename."""
        os.sync()  # the new files reach the disk before the site points at them
        temporary = self.out.parent / f".{self.out.name}.swap-{secrets.token_hex(4)}"
        os.symlink(f"{self.releases.name}/{release.name}", temporary)
        os.replace(temporary, self.out)

    def publish(self, release: Path) -> None:
        """Swap ``release`` in; keep the one it replaces for --rollback, delete older ones."""
        previous = self.current()
        self.swap(release)
        for old in self._all_releases():
            if old not in (release, previous):
                shutil.rmtree(old)
                self.manifest_path(old).unlink(missing_ok=True)
                self.journal_path(old).unlink(missing_ok=True)

    def previous(self) -> Path:
        """The release before the current one (what --rollback publishes)."""
        current = self.current()
        older = [r for r in self._all_releases() if current and r.name < current.name]
        if not older:
            raise UnsafePath("There is no previous release to roll back to.")
        return older[-1]

    def remove_everywhere(self, tokens: list[str]) -> None:
        """Delete these pages from every release on disk, the one kept for --rollback
        too: an ended link's page (an erased person's) must not wait there. The caller
        holds the lock."""
        for release in self._all_releases():
            for token in tokens:
                remove_page(release, token)

    def _all_releases(self) -> list[Path]:
        if not self.releases.is_dir():
            return []
        found = sorted(p for p in self.releases.iterdir() if p.is_dir() and p.name.startswith("r-"))
        for path in found:
            if path.is_symlink():  # it would be published, or pages deleted through it
                raise UnsafePath(f"Refusing the symlink {path} among the releases.")
        return found

    def clear_abandoned(self) -> None:
        """Delete release folders newer than the published one: builds that never finished."""
        current = self.current()
        for release in self._all_releases():
            if current is None or release.name > current.name:
                shutil.rmtree(release)
                self.manifest_path(release).unlink(missing_ok=True)

    # --- manifests and journals ---------------------------------------------------

    def manifest_path(self, release: Path) -> Path:
        return self.releases / f"{release.name}.manifest.json"

    def read_manifest(self, release: Path | None) -> dict | None:
        """What ``release`` holds, or None when unknown."""
        if release is None or not os.path.lexists(self.manifest_path(release)):
            return None
        return _read_json(self.manifest_path(release))

    def write_manifest(self, release: Path, manifest: dict) -> None:
        _write_atomic(self.manifest_path(release), json.dumps(manifest).encode())

    @contextmanager
    def locked(self, wait: bool = True):
        """Hold the site's build lock: one build at a time. Without ``wait``, yield
        False at once when another holds it."""
        self._make_releases()
        try:  # the folder itself, not a symlink swapped in since
            folder = os.open(self.releases, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError as error:
            if error.errno not in (errno.ELOOP, errno.ENOTDIR):
                raise
            raise UnsafePath(
                f"{self.releases} is a symlink; refusing to use it for the site's releases."
            ) from None
        try:  # never truncated, never opened through a symlink
            flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW
            lock = os.open(".lock", flags, files.PRIVATE, dir_fd=folder)
        except OSError as error:
            if error.errno != errno.ELOOP:
                raise
            raise UnsafePath(
                f"Refusing to open the lock through the symlink {self.releases / '.lock'}."
            ) from None
        finally:
            os.close(folder)
        try:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(lock)

    def journal_path(self, release: Path) -> Path:
        return self.releases / f"{release.name}.journal.json"

    def stage(self, data: bytes) -> Path:
        """Write ``data`` to a new file in the staging folder, for a later rename."""
        folder = self.releases / ".staging"
        if folder.is_symlink():
            raise UnsafePath(f"Refusing to stage pages through the symlink {folder}.")
        folder.mkdir(exist_ok=True)
        path = folder / secrets.token_hex(12)
        _create(path, data)
        return path

    def apply(self, release: Path, staged: dict[str, Path], removed: list[str]) -> None:
        """Publish staged pages and delete removed ones in place, journalled."""
        journal = {"staged": {k: str(v) for k, v in staged.items()}, "removed": removed}
        _write_atomic(self.journal_path(release), json.dumps(journal).encode())
        self.recover(release)

    def recover(self, release: Path | None) -> None:
        """Finish an in-place update that was interrupted after its journal was written,
        and clear staged files of one interrupted before."""
        if release is None:
            return
        path = self.journal_path(release)
        if os.path.lexists(path):
            journal = _read_json(path)
            for target, source in journal["staged"].items():
                if os.path.lexists(source):
                    os.replace(source, target)
            for name in journal["removed"]:
                remove_page(release, name)
            path.unlink()
        shutil.rmtree(self.releases / ".staging", ignore_errors=True)


def _write_atomic(path: Path, data: bytes) -> None:
    """Manifests and journals: readable by their owner only, as they list every token."""
    temporary = path.with_name(f"{STAGED}{path.name}.{secrets.token_hex(4)}")
    _create(temporary, data, mode=files.PRIVATE)
    os.replace(temporary, path)


def _read_json(path: Path) -> dict:
    """A manifest or journal, never read through a symlink (a planted journal would have
    the build rename files of someone else's choosing)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as error:
        if error.errno != errno.ELOOP:
            raise
        raise UnsafePath(f"Refusing to read {path} through a symlink.") from None
    with os.fdopen(fd, "rb") as handle:
        return json.loads(handle.read())


def safe_child(parent: Path, *names: str) -> Path:
    """``parent/names...`` after checking every segment; refuses symlinks on the way."""
    path = parent
    for name in names:
        if not SAFE_NAME.match(name) or name in (".", ".."):
            raise UnsafePath(f"Refusing unsafe path segment {name!r}.")
        path = path / name
        if path.is_symlink():
            raise UnsafePath(f"Refusing to write through the symlink {path}.")
    return path


def write_file(release: Path, parts: tuple[str, ...], data: bytes) -> Path:
    """Write ``data`` at ``release/parts``, never through a symlink."""
    target = safe_child(release, *parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return target


def write_new_page(release: str, token: str, data: bytes) -> None:
    """Create ``c/<token>/index.html`` in a release being built: the folder and the file
    must both be new (so nothing planted can be followed), which also spares the
    checks a path into a published release needs. The hot loop of a full build."""
    if not SAFE_NAME.match(token):
        raise UnsafePath(f"Refusing unsafe path segment {token!r}.")
    folder = f"{release}/c/{token}"
    try:
        os.mkdir(folder)
    except FileExistsError:
        raise UnsafePath(f"{folder} already exists in a new release; refusing.") from None
    _create(f"{folder}/index.html", data)


def _create(path, data: bytes, mode: int = 0o644) -> None:
    """A new file: public pages 0644 (the web server reads them), bookkeeping 0600."""
    fd = files.create(path, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def page_path(release: Path, token: str) -> Path:
    """Where the page of ``token`` lives in a published release, its folder made if
    needed; refuses a symlink anywhere on the way."""
    target = safe_child(release, "c", token, "index.html")
    target.parent.mkdir(exist_ok=True)
    return target


def remove_page(release: Path, name: str) -> bool:
    """Delete the page folder ``c/<name>/`` of a release; False when it was not there."""
    folder = safe_child(release, "c", name)
    if not folder.is_dir():
        return False
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()
    return True


def remove_pages(site_dir: str, tokens: list[str]) -> bool:
    """Delete these pages from every kept release now, under the site's lock; nothing
    to do before the first build. A request never waits for a build: when one is running,
    False, and that build deletes pages revoked while it ran once it has published."""
    site = Site(site_dir)
    with site.locked(wait=False) as mine:
        if mine:
            site.remove_everywhere(tokens)
    return mine
