"""Give memory back to the operating system after sessions end.

When a session closes, Python frees its objects, but the memory mostly stays inside the
process: objects in reference cycles wait for the next full garbage collection, and
glibc's malloc keeps freed pages in its arenas (one per thread that allocated, and
Streamlit runs each session's script in its own thread). The server's resident memory
therefore stays near its peak long after the users have gone.

``start_trimmer()`` starts one daemon thread per server process (idempotent: the app
calls it on every rerun and only the first call starts it). Every
``GREENPRINT_MEMORY_TRIM_S`` seconds it runs ``gc.collect()`` and then glibc's
``malloc_trim(0)``, which returns free pages of every arena to the system. Where
``malloc_trim`` does not exist (musl, macOS) only the collection runs.

| variable | default | meaning |
|---|---|---|
| GREENPRINT_MEMORY_TRIM_S | ``60`` | seconds between trims; ``0`` switches the thread off |

Cost: one full collection and one trim per interval, a few tens of ms with the app's
heap on a 2-core machine (``trim()`` returns the seconds it took; logged at DEBUG).
Memory still held by live objects is not touched: the solve caches are bounded by their
``max_entries``, and a disconnected session's state is kept by Streamlit for
``server.disconnectedSessionTTL`` seconds (default 120) so that a reconnecting tab can
resume it.

A module-level singleton rather than ``st.cache_resource``: clearing the resource cache
(``st.cache_resource.clear()``) would otherwise start a second thread.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import threading
import time

from core.settings import get_settings

_LOG = logging.getLogger(__name__)
_lock = threading.Lock()
_thread: threading.Thread | None = None


def interval_s() -> float:
    """Seconds between trims (``GREENPRINT_MEMORY_TRIM_S``); 0 means off."""
    return get_settings().memory_trim_s


def _load_malloc_trim():
    """glibc's ``int malloc_trim(size_t pad)``, or None where the C library has none."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        fn = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_size_t]
    fn.restype = ctypes.c_int
    return fn


_malloc_trim = _load_malloc_trim()


def trim() -> float:
    """Collect garbage, then hand free heap pages back to the OS; return the seconds taken."""
    start = time.perf_counter()
    gc.collect()
    if _malloc_trim is not None:
        _malloc_trim(0)
    return time.perf_counter() - start


def _run(every_s: float, stop: threading.Event) -> None:
    while not stop.wait(every_s):
        try:
            _LOG.debug("memory trim took %.3f s", trim())
        except Exception:  # never let the trimmer take the server down
            _LOG.exception("memory trim failed")


_stop = threading.Event()


def start_trimmer() -> threading.Thread | None:
    """Start the trimming thread once per process; None when switched off."""
    global _thread
    every = interval_s()
    if every <= 0:
        return None
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run, args=(every, _stop),
                                       name="greenprint-memory-trim", daemon=True)
            _thread.start()
        return _thread
