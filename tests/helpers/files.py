"""Paths that name the live SQLite database however they are spelled."""

from pathlib import Path


def live_database_spellings(database_url: str, folder: Path) -> list[str]:
    """The live database through itself, "..", a symlink in ``folder``, and SQLite's own
    files beside it: every way a command's target could land on it."""
    live = Path(database_url.removeprefix("sqlite:///"))
    (folder / "sub").mkdir()
    (folder / "alias.sqlite3").symlink_to(live)
    return [
        str(live),
        str(live.parent / "sub" / ".." / live.name),
        str(folder / "alias.sqlite3"),
        f"{live}-wal",
        f"{live}-shm",
    ]
