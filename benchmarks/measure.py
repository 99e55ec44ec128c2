"""Run a command and measure it: wall time, CPU (rusage of the whole process tree), peak RSS.

CPU comes from ``os.wait4`` (the child and every descendant it reaped). Memory is sampled from
``/proc`` every ``interval`` seconds: the resident set of the whole tree (a process and all its
live descendants, summed), so a crawler that forks workers is not under-counted, and each
process's VmHWM (its peak since exec). ``ru_maxrss`` is not used: Linux charges a child with the
peak of the parent's memory it was forked from, before its ``exec``.
An optional ``on_sample`` callback sees every sample (memory.py records them).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Measured:
    """What one run of a command cost."""

    returncode: int
    wall_s: float
    cpu_user_s: float
    cpu_sys_s: float
    hwm_mb: float
    """Largest VmHWM (peak RSS since exec) of a single process of the tree, as sampled."""
    tree_peak_rss_mb: float
    """Largest sampled sum of RSS over the live process tree."""
    samples: list[tuple[float, float]] = field(default_factory=list)
    """(seconds since start, tree RSS in MB)."""
    main_cpu_s: float | None = None
    """CPU seconds of the command's own process alone (last sample before it exited): with
    ``cpu_s`` it tells how the work was split between it and the processes it started."""

    @property
    def cpu_s(self) -> float:
        return self.cpu_user_s + self.cpu_sys_s

    @property
    def peak_rss_mb(self) -> float:
        return max(self.hwm_mb, self.tree_peak_rss_mb)


def descendants(pid: int) -> list[int]:
    """``pid`` and every live descendant (from /proc/<pid>/task/*/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tasks:
            try:
                todo.extend(
                    int(c) for c in Path(f"/proc/{p}/task/{t}/children").read_text().split()
                )
            except OSError:
                continue
    return out


def tree_memory_mb(pid: int) -> tuple[float, float]:
    """(sum of VmRSS, largest VmHWM) over ``pid`` and its live descendants, in MB."""
    total = hwm = 0
    for p in descendants(pid):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        total += int(fields.get("VmRSS", "0 kB").split()[0])
        hwm = max(hwm, int(fields.get("VmHWM", "0 kB").split()[0]))
    return total / 1024, hwm / 1024


def process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of one live process (None when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def tree_rss_mb(pid: int) -> float:
    """Sum of the resident set sizes of ``pid`` and its live descendants, in MB."""
    return tree_memory_mb(pid)[0]


def run(
    cmd: Sequence[str],
    *,
    cwd: Path | None = None,
    stdout: Path | None = None,
    stderr: Path | None = None,
    timeout: float = 3600,
    interval: float = 0.1,
    on_sample: Callable[[float, float], None] | None = None,
) -> Measured:
    """Run ``cmd`` to completion and measure it (killed after ``timeout`` seconds)."""
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL  # noqa: SIM115 - closed below
    err = open(stderr, "wb") if stderr else subprocess.DEVNULL  # noqa: SIM115 - closed below
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
    samples: list[tuple[float, float]] = []
    hwm = [0.0]
    main_cpu: list[float | None] = [None]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(interval):
            rss, peak = tree_memory_mb(proc.pid)
            hwm[0] = max(hwm[0], peak)
            main_cpu[0] = process_cpu_s(proc.pid) or main_cpu[0]
            t = time.perf_counter() - started
            samples.append((t, rss))
            if on_sample is not None:
                on_sample(t, rss)

    def kill() -> None:
        if not done.wait(timeout):
            proc.kill()

    threads = [
        threading.Thread(target=sample, daemon=True),
        threading.Thread(target=kill, daemon=True),
    ]
    for t in threads:
        t.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    proc.returncode = os.waitstatus_to_exitcode(status)
    for f in (out, err):
        if hasattr(f, "close"):
            f.close()
    for t in threads:
        t.join()
    return Measured(
        returncode=proc.returncode,
        wall_s=wall,
        cpu_user_s=usage.ru_utime,
        cpu_sys_s=usage.ru_stime,
        hwm_mb=hwm[0],
        tree_peak_rss_mb=max((rss for _, rss in samples), default=0.0),
        samples=samples,
        main_cpu_s=main_cpu[0],
    )


def folder_bytes(path: Path) -> int:
    """Total size of the files under ``path``."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
