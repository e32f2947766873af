"""Give the app's threads their names at the operating-system level too.

Python (before 3.14) names threads only for Python; ``top -H``, ``/proc/<pid>/task/*/comm``
and the CPU benchmark see every thread as "python". The benchmark splits CPU time by
thread (capture, analysis, music, GUI), so each of our threads calls :func:`name_os_thread`
first. Linux only (``prctl(PR_SET_NAME)``, 15 characters); a no-op elsewhere.
"""

from __future__ import annotations

import sys

_PR_SET_NAME = 15


def name_os_thread(name: str) -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes  # noqa: PLC0415

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_NAME, name.encode("utf-8", "replace")[:15], 0, 0, 0)
    except Exception:  # naming is a nicety for tools; never a reason to fail
        pass
