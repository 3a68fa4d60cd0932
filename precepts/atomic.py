"""Writing a file so that readers see the old content or the new one, never a mix.

The cache and the baseline are written by parallel workers and parallel runs: each
write goes to a private temporary file in the same directory, then ``os.replace``
swaps it in (atomic on POSIX and Windows for files on one file system).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path``'s content with ``data`` in one step (creating its directory).

    Args:
        path: The file to write.
        data: Its new content.

    Raises:
        OSError: When the directory cannot be created or written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        # mkstemp makes the file private; the result should look like any other file.
        try:
            mode = path.stat().st_mode & 0o777
        except OSError:
            mode = 0o644
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
