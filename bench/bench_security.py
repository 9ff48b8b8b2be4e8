"""Hostile input, through the real command line: security.hostile_inputs_tried and
security.hostile_inputs_mishandled (goal 0).

The table is tests/hostile.py: control characters and terminal escapes, bidi and zero-width
characters, 1M-character fields, deep nesting, byte order marks, wrong encodings, repeated
keys, non-integer schema versions, a case number twice, state only central may set, devices and
folders given as files, a data dir that is a file. Mishandled: a wrong exit code, a control byte
reaching the terminal, a traceback, no clear message, or anything stored from a refused file.

Run alone: python -m bench.bench_security
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def run() -> dict[str, float]:
    from tests.hostile import cases, data_dir_cases, mishandled, run_cli

    tried = 0
    wrong: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        for n, case in enumerate(cases()):
            directory = Path(tmp) / f"c{n}"
            directory.mkdir()
            tried += 1
            problem = mishandled(case, directory)
            if problem:
                wrong.append(f"{case.command}: {case.name}: {problem}")
        for n, (name, args) in enumerate(data_dir_cases()):
            not_a_folder = Path(tmp) / f"file{n}"
            not_a_folder.write_text("a file")
            tried += 1
            outcome = run_cli([*args, "--data-dir", str(not_a_folder)])
            if outcome.code == 0 or not outcome.stderr.startswith(b"duty-tui: "):
                wrong.append(f"{name} on a data dir that is a file")
    for line in wrong:
        print(f"  mishandled: {line}", file=sys.stderr)
    return {
        "security.hostile_inputs_tried": tried,
        "security.hostile_inputs_mishandled": len(wrong),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
