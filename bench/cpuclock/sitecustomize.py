"""A CPU clock for the benches: ``time.perf_counter()`` returns CPU seconds.

CPU = this process's CPU time (``CLOCK_PROCESS_CPUTIME_ID``) + the CPU time of
the PostgreSQL backend serving Django's default connection
(``/proc/<pid>/schedstat``, in nanoseconds). On a loaded machine, wall time
measures the other processes as much as the code; CPU time measures the code
(waiting for a CPU, the disk or a lock is not counted). Every bench prints CPU
milliseconds where it printed wall milliseconds, unchanged:

    PYTHONPATH=bench/cpuclock PGOPTIONS='-c max_parallel_workers_per_gather=0' \\
        .venv/bin/python bench/queue.py

Parallel workers are other processes, which this clock does not see: hence
PGOPTIONS. ``time.monotonic()`` (the sweep times itself with it) reads the
same clock; timeouts only stretch. Linux only (/proc).
"""

import sys
import time

_process_time = time.process_time


def _backend_ns() -> int:
    db = sys.modules.get("django.db")
    if db is None:
        return 0
    try:
        raw = db.connection.connection
        if raw is None:
            return 0
        with open(f"/proc/{raw.get_backend_pid()}/schedstat") as f:
            return int(f.read().split()[0])
    except Exception:
        # No connection yet, settings not configured, or not Linux.
        return 0


def cpu_clock() -> float:
    return _process_time() + _backend_ns() / 1e9


time.perf_counter = cpu_clock
time.monotonic = cpu_clock
