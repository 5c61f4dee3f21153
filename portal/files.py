"""Files written whole: a reader of the target sees the old file or the new one, never
half of the new one."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replaced_whole(target: Path) -> Iterator[Path]:
    """Yield a ``.partial`` path beside ``target`` to write; it replaces ``target`` when
    the block ends, and is deleted if the block (or the replacing) raises."""
    # Beside the target so the rename stays on one filesystem (atomic); the pid keeps
    # two commands writing the same target from sharing one partial file.
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        yield partial
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
