"""Giving memory back to the system after a one-off load.

Loading a model or a word list builds large temporary objects; once they are freed, glibc keeps
the pages for reuse and a long-running ``serve`` carries them for ever (about 20 MB in all). The
loaders here run once per process, so asking glibc to return free pages then costs nothing later.
"""

from __future__ import annotations

import contextlib
import ctypes


def give_back_freed_memory() -> None:
    with contextlib.suppress(OSError, AttributeError):  # not glibc: its allocator decides
        ctypes.CDLL("libc.so.6").malloc_trim(0)
