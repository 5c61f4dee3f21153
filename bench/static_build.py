"""`portal build` against Frozen-Flask on the same data, in one run.

Generates N applications (through `portal import`, as bench/admin_lists.py does), then:
1. Frozen-Flask freezes the project's own candidate route for every live link (the
   natural alternative: one whole request per page);
2. `portal build` renders the same pages (a full build, two processes);
3. a rebuild with nothing changed, and one with exactly one application changed.
Prints pages/s, the ratio between the two, and the peak memory of all processes.

    .venv/bin/python bench/static_build.py                 # 100,000 applications
    .venv/bin/python bench/static_build.py -n 10000 --keep /tmp/bench-10k
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from admin_lists import load  # noqa: E402
from admin_lists import PORTAL  # noqa: E402


class PeakMemory:
    """Samples the memory of this process and all its descendants, summed as PSS (each
    shared page counted once, split between its sharers: forked workers share most
    of their parent's pages, and plain RSS would count those once per process)."""

    def __init__(self, root: int | None = None):
        self.root, self.peak, self._stop = root or os.getpid(), 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, _tree_rss(self.root))


def _tree_rss(root: int) -> int:
    """The summed PSS, in bytes, of ``root`` and its descendants."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parents[int(entry)] = int(handle.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    tree = {root}
    for pid in sorted(parents):  # children have larger pids than parents, mostly
        if parents[pid] in tree:
            tree.add(pid)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                total += sum(int(line.split()[1]) * 1024 for line in handle
                             if line.startswith("Pss:"))  # fmt: skip
        except OSError:
            continue
    return total


def frozen_flask(app, out: Path, limit: int | None) -> tuple[int, float, int]:
    """Freeze the live candidate route for every live link with Frozen-Flask."""
    from flask_frozen import Freezer

    from portal import links
    from portal.models import Link

    tokens = [t for (t,) in links.live_links().select(Link.token).tuples()][:limit]
    app.config.update(
        FREEZER_DESTINATION=str(out),
        FREEZER_REMOVE_EXTRA_FILES=True,
        FREEZER_IGNORE_MIMETYPE_WARNINGS=True,
        FREEZER_SKIP_EXISTING=False,
    )
    freezer = Freezer(app, with_static_files=False, with_no_argument_rules=False, log_url_for=False)

    @freezer.register_generator
    def pages():
        for token in tokens:
            yield "candidate.page", {"token": token}

    with PeakMemory() as memory:
        started = time.perf_counter()
        freezer.freeze()
        elapsed = time.perf_counter() - started
    return len(tokens), elapsed, memory.peak


def portal_build(out: Path) -> tuple[SimpleNamespace, int]:
    """`portal build OUT` in its own process, as cron runs it: its summary line and the
    peak memory of its process tree."""
    process = subprocess.Popen([PORTAL, "build", str(out)], stdout=subprocess.PIPE, text=True)
    with PeakMemory(process.pid) as memory:
        output, _ = process.communicate()
    if process.returncode:
        sys.exit(f"portal build failed ({process.returncode})")
    found = re.search(r"\((\w+)\): (\d+) written, \d+ unchanged, \d+ removed in ([\d.]+) s", output)
    kind, written, seconds = found.groups()
    return SimpleNamespace(kind=kind, written=int(written), seconds=float(seconds)), memory.peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--applications", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--keep", type=Path, help="folder for the database, reused if loaded")
    parser.add_argument("--frozen-limit", type=int, help="freeze at most this many pages")
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-build-"))
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "portal.sqlite3"
    url = f"sqlite:///{database}"
    if not database.exists():
        load(args.applications, args.jobs, url, folder)
    os.environ.update(
        PORTAL_DATABASE_URL=url,
        PORTAL_SECRET_KEY="bench-only",
        PORTAL_BASE_URL="https://jobs.example.com",
    )

    from portal import create_app
    from portal import domain
    from portal.db import database as db
    from portal.models import Application

    app = create_app()
    app.config["RATELIMIT_ENABLED"] = False
    with app.app_context(), db.connection_context():
        for name in ("frozen", "site", "site.releases"):
            shutil.rmtree(folder / name, ignore_errors=True)
        (folder / "site").unlink(missing_ok=True)
        frozen_pages, frozen_seconds, frozen_memory = frozen_flask(
            app, folder / "frozen", args.frozen_limit
        )
        full, full_memory = portal_build(folder / "site")
        unchanged, _ = portal_build(folder / "site")
        one = Application.select().where(Application.status == "active").first()
        domain.post_update(None, one, one.version, "Benchmark: one change")
        changed, _ = portal_build(folder / "site")

    frozen_rate = frozen_pages / frozen_seconds
    build_rate = full.written / full.seconds
    mib = 2**20
    print(f"\n{'':34} {'pages':>9} {'seconds':>9} {'pages/s':>9} {'peak MiB':>9}")
    print(f"{'Frozen-Flask (candidate route)':34} {frozen_pages:9,} {frozen_seconds:9.1f} "
          f"{frozen_rate:9,.0f} {frozen_memory / mib:9,.0f}")  # fmt: skip
    print(f"{'portal build, full':34} {full.written:9,} {full.seconds:9.1f} "
          f"{build_rate:9,.0f} {full_memory / mib:9,.0f}")  # fmt: skip
    print(f"{'portal build, nothing changed':34} {unchanged.written:9,} "
          f"{unchanged.seconds:9.2f}")  # fmt: skip
    print(f"{'portal build, one change':34} {changed.written:9,} {changed.seconds:9.2f}")
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (2 cores; other work skews it)")
    print(
        f"\nfull build / Frozen-Flask: {build_rate / frozen_rate:.1f}x pages per second "
        f"(target 15x); files rewritten with one change: {changed.written} (target 1)"
    )


if __name__ == "__main__":
    main()
