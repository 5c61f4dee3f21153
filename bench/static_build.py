"""`portal build` against Frozen-Flask on the same data, in one run.

Generates N applications (through `portal import`, as bench/admin_lists.py does), then:
1. Frozen-Flask freezes the project's own candidate route for every live link (the
   natural alternative: one whole request per page);
2. `portal build` renders the same pages (a full build, two processes);
3. a rebuild with nothing changed, and one with exactly one application changed.
Prints pages/s, the ratio between the two, the CPU each spent in user code and in the
kernel, and the peak memory of all processes.

Both write to the same folder (``--out``, default: the data folder), each on a settled
filesystem: what an earlier phase wrote is flushed first (``portal build`` syncs before
it publishes, and must not pay for Frozen-Flask's writes), and no timed phase starts
within a minute of the bench deleting a large tree. ext4 without a journal (this
machine's root) makes every new inode skip the inodes deleted in the last 60 s, one
lookup each: after deleting 70,000 pages, creating as many costs 4-8 times the kernel
time. Each run writes into a new folder and deletes the previous run's at the end.

    .venv/bin/python bench/static_build.py                 # 100,000 applications
    .venv/bin/python bench/static_build.py -n 10000 --keep /tmp/bench-10k
    .venv/bin/python bench/static_build.py --keep /tmp/bench-100k --out /dev/shm/bench
"""

import argparse
import os
import re
import resource
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

#: A fixed key for the benchmark's throwaway databases (long enough for the startup check).
SECRET = "bench-key-7Qv2Xp9Lm4Rt8Wz1Yb6Nc3Hd5Fg0Js2Ae9Uo"


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


#: How long ext4 (without a journal) treats a deleted inode as recently deleted, and a bit.
SETTLE_SECONDS = 65


def settle(folder: Path) -> None:
    """Flush earlier phases' writes, then wait out any recent large deletion by the bench."""
    os.sync()
    stamp = folder / ".deleted-at"
    wait = float(stamp.read_text()) + SETTLE_SECONDS - time.time() if stamp.exists() else 0
    if wait > 0:
        print(f"waiting {wait:.0f} s for the filesystem to settle after a deletion",
              file=sys.stderr)  # fmt: skip
        time.sleep(wait)


def remove(folder: Path, paths: list[Path]) -> None:
    """Delete earlier runs' output trees, and note when (for ``settle``)."""
    if paths:
        for path in paths:
            shutil.rmtree(path)
        (folder / ".deleted-at").write_text(str(time.time()))


def cpu(who: int = resource.RUSAGE_SELF) -> tuple[float, float]:
    """User and system CPU seconds so far of this process, or of its finished children."""
    usage = resource.getrusage(who)
    return usage.ru_utime, usage.ru_stime


def cpu_since(before: tuple[float, float], who: int = resource.RUSAGE_SELF) -> list[float]:
    return [after - start for after, start in zip(cpu(who), before, strict=True)]


def frozen_flask(app, out: Path, limit: int | None) -> tuple[SimpleNamespace, int]:
    """Freeze the live candidate route for every live link with Frozen-Flask: pages,
    seconds and CPU, and the peak memory."""
    from flask_frozen import Freezer

    from portal.candidates import links
    from portal.store.models import Link

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
        before, started = cpu(), time.perf_counter()
        freezer.freeze()
        elapsed = time.perf_counter() - started
    used = cpu_since(before)
    return SimpleNamespace(pages=len(tokens), seconds=elapsed, cpu=used), memory.peak


def portal_build(out: Path) -> tuple[SimpleNamespace, int]:
    """`portal build OUT` in its own process, as cron runs it: its summary line, the CPU
    of its process tree and its peak memory."""
    before = cpu(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen([PORTAL, "build", str(out)], stdout=subprocess.PIPE, text=True)
    with PeakMemory(process.pid) as memory:
        output, _ = process.communicate()
    used = cpu_since(before, resource.RUSAGE_CHILDREN)
    if process.returncode:
        sys.exit(f"portal build failed ({process.returncode})")
    found = re.search(r"\((\w+)\): (\d+) written, \d+ unchanged, \d+ removed in ([\d.]+) s", output)
    kind, written, seconds = found.groups()
    summary = SimpleNamespace(kind=kind, written=int(written), seconds=float(seconds), cpu=used)
    return summary, memory.peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--applications", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--keep", type=Path, help="folder for the database, reused if loaded")
    parser.add_argument("--out", type=Path, help="where both write their pages (a folder)")
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
        PORTAL_SECRET_KEY=SECRET,
        PORTAL_BASE_URL="https://jobs.example.com",
    )

    from portal import create_app
    from portal import domain
    from portal.store.db import database as db
    from portal.store.models import Application

    app = create_app()
    app.config["RATELIMIT_ENABLED"] = False
    out = args.out or folder
    out.mkdir(parents=True, exist_ok=True)
    earlier = sorted(out.glob("run-*"))
    run = out / f"run-{time.strftime('%Y%m%dT%H%M%S')}"
    with app.app_context(), db.connection_context():
        settle(out)
        frozen, frozen_memory = frozen_flask(app, run / "frozen", args.frozen_limit)
        settle(out)
        full, full_memory = portal_build(run / "site")
        unchanged, _ = portal_build(run / "site")
        one = Application.select().where(Application.status == "active").first()
        domain.post_update(None, one, one.version, "Benchmark: one change")
        changed, _ = portal_build(run / "site")

    frozen_rate = frozen.pages / frozen.seconds
    build_rate = full.written / full.seconds
    mib = 2**20
    print(f"\n{'':31} {'pages':>7} {'seconds':>8} {'pages/s':>8} {'user s':>7} {'sys s':>7}"
          f" {'peak MiB':>8}")  # fmt: skip
    for name, pages, seconds, used, memory in (
        ("Frozen-Flask (candidate route)", frozen.pages, frozen.seconds, frozen.cpu, frozen_memory),
        ("portal build, full", full.written, full.seconds, full.cpu, full_memory),
    ):
        print(f"{name:31} {pages:7,} {seconds:8.1f} {pages / seconds:8,.0f} {used[0]:7.1f} "
              f"{used[1]:7.1f} {memory / mib:8,.0f}")  # fmt: skip
    for name, build in (("portal build, nothing changed", unchanged), ("… one change", changed)):
        print(f"{name:31} {build.written:7,} {build.seconds:8.2f}")
    print(f"pages written to {out} ({_filesystem(out)}); load average at the end: "
          f"{os.getloadavg()[0]:.2f} (2 cores; other work skews it)")  # fmt: skip
    print(
        f"\nfull build / Frozen-Flask: {build_rate / frozen_rate:.1f}x pages per second "
        f"(target 15x); files rewritten with one change: {changed.written} (target 1)"
    )
    remove(out, earlier)
    print(f"(the pages stay in {run} until the next run deletes them)")


def _filesystem(path: Path) -> str:
    """The type of the filesystem ``path`` is on, from /proc/mounts."""
    best, kind = "", "unknown"
    with open("/proc/mounts") as mounts:
        for line in mounts:
            _device, point, fstype, *_ = line.split()
            if str(path.resolve()).startswith(point) and len(point) > len(best):
                best, kind = point, fstype
    return kind


if __name__ == "__main__":
    main()
