"""Child process for the crash-mid-purge test; run as ``python -m tests.services.purge_child``.

``<data_dir> <n>``: run ``duty-tui purge`` on the store and SIGKILL itself just before the n-th
call that changes the disk (n = -1: never; then print how many such calls there were).
"""

from __future__ import annotations

import sys

from duty_tui.cli import main
from tests.store.crash_child import _DieAt


def run(data_dir: str, n: int) -> None:
    fault = _DieAt(n)
    fault.install()
    code = main(["purge", "--data-dir", data_dir])
    print(f"done {fault.count} {code}", flush=True)


if __name__ == "__main__":
    run(sys.argv[1], int(sys.argv[2]))
