"""Files the portal writes for itself: created readable by their owner only, never
through a symlink, and (``replaced_whole``) written whole: a reader of the target sees
the old file or the new one, never half of the new one."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: The database, backups, exports, mail in the outbox, the build's manifests: they hold
#: password hashes, personal data or candidates' links, which are keys to their pages.
PRIVATE = 0o600
#: A folder the portal makes for such files.
PRIVATE_FOLDER = 0o700


def create(path: str | os.PathLike, mode: int = PRIVATE) -> int:
    """A file descriptor open for writing on a new file at ``path``, which has ``mode``
    from its first moment (the umask can only take bits away), so no one else can open it
    before a chmod. Raises FileExistsError for anything already there, a symlink too."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)


def private_folder(path: Path) -> Path:
    """Make ``path`` and any missing parent 0700; folders already there are left alone."""
    missing, folder = [], Path(path)
    while not os.path.lexists(folder):
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, PRIVATE_FOLDER)
        except FileExistsError:  # made by another process meanwhile
            pass
    return Path(path)


@contextmanager
def replaced_whole(target: Path) -> Iterator[Path]:
    """Yield a new, empty ``.partial`` file beside ``target``, owner-only, to write (by
    its path); it replaces ``target`` when the block ends, and is deleted if the block
    (or the replacing) raises.

    Always owner-only: what is written whole is private (backups, exports), and a
    target's mode is not worth keeping, as the replaced file may have been made by
    anyone; a public file should not need to pick this default by hand."""
    # Beside the target so the rename stays on one filesystem (atomic); the pid keeps
    # two commands writing the same target from sharing one partial file. Whatever is
    # at that name is removed first (a leftover, or a symlink planted to be written
    # through), and the partial file is created anew, never opened through a symlink.
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    os.close(create(partial))
    try:
        yield partial
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
