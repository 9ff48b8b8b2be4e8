"""Hostile input for every way a file gets into duty-tui, and what must happen to each.

Shared by tests/cli/test_hostile_input.py and the benchmark (security.hostile_inputs_*): each
case is a file (or a data dir) fed to a real ``duty-tui`` command in a subprocess. Whatever it
is, the command must: end with the expected exit code; on refusal say why in one message that
starts ``duty-tui:`` and is no traceback; never let an escape or other control byte reach the
terminal (stdout or stderr); store nothing when it refuses, and nothing unclean when it accepts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "case.json"
PASS = "hostile input test passphrase"
ESC = "\x1b[31;1mRED\x1b]0;owned\x07"


def example() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def _doc(change: Callable[[dict[str, Any]], Any]) -> bytes:
    doc = example()
    change(doc)
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _case(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["cases"][0]


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


def _second_case(number: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        twin = json.loads(json.dumps(_case(doc)))
        twin["id"] = "case-example-twin"
        twin["case_number"] = number
        doc["cases"].append(twin)

    return change


def _acknowledged(doc: dict[str, Any]) -> None:
    case = _case(doc)
    direction = case["directions"][0] if case.get("directions") else None
    party = case["parties"][0]["id"]
    case["referrals"] = [
        {
            "direction_id": direction["id"] if direction else "dir-1",
            "party_id": party,
            "activity": direction["activity"] if direction else "wt4c",
            "provider_id": "sample-wt4c-cardiff",
            "state": "acknowledged",
            "receipt": "CR-fake",
            "id": "ref-fake",
        }
    ]


@attrs.frozen
class Hostile:
    name: str
    command: str  # "import", "assess", "providers import"
    content: bytes | None = None  # the file's bytes; None: see ``path``
    path: str | None = None  # a path to use instead of a written file (a device, a folder)
    expect: int = 2  # exit code
    clean: Callable[[Path], str | None] | None = None  # for accepted input: what is wrong


def _stored_names(data_dir: Path) -> list[str]:
    from store import Store
    from store.cases import CaseRepository

    with Store.open(data_dir, PASS) as store:
        repo = CaseRepository(store)
        names = []
        for case_id in repo.summaries():
            case = repo.get(case_id)
            names += [p.name for p in case.parties] + [c.name for c in case.children]
        return names


def _names_clean(data_dir: Path) -> str | None:
    for name in _stored_names(data_dir):
        if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in name):
            return f"control character stored in {name!r}"
        if any(ord(c) in (0x200B, 0x202E, 0x2066) for c in name):
            return f"invisible or bidi character stored in {name!r}"
    return None


def cases() -> list[Hostile]:
    name_path = ["cases", 0, "parties", 0, "name"]
    return [
        Hostile("escape sequences in a name", "import", _doc(_set(name_path, f"Siân{ESC}")),
                expect=0, clean=_names_clean),
        Hostile("bidi override in a name", "import", _doc(_set(name_path, "Ann\u202eFfug")),
                expect=0, clean=_names_clean),
        Hostile("zero-width space in a name", "import", _doc(_set(name_path, "Jo\u200bnes")),
                expect=0, clean=_names_clean),
        Hostile("a 1M-character name", "import", _doc(_set(name_path, "x" * 1_000_000))),
        Hostile("a 1M-character note", "assess", _doc(_set(["cases", 0, "id"], "y" * 1_000_000))),
        Hostile("deep nesting", "import", b"[" * 200_000 + b"]" * 200_000),
        Hostile("deep nesting", "assess", b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
        Hostile("a byte order mark", "import", b"\xef\xbb\xbf" + EXAMPLE.read_bytes(), expect=0),
        Hostile("UTF-16", "import", EXAMPLE.read_text(encoding="utf-8").encode("utf-16")),
        Hostile("Latin-1", "import", _doc(_set(name_path, "Siân")).replace(b"\xc3\xa2", b"\xe2")),
        Hostile("binary garbage", "import", bytes(range(256)) * 50),
        Hostile("an empty file", "import", b""),
        Hostile("not an object", "assess", b"[1, 2, 3]"),
        Hostile("a repeated key", "import",
                EXAMPLE.read_bytes().replace(b'"format"', b'"format": "x", "format"', 1)),
        Hostile("schema_version true", "import", _doc(_set(["schema_version"], True))),
        Hostile("schema_version 1.0", "import", _doc(_set(["schema_version"], 1.0))),
        Hostile("schema_version '1'", "assess", _doc(_set(["schema_version"], "1"))),
        Hostile("an unknown field named with escapes", "import", _doc(_set([f"x{ESC}"], 1))),
        Hostile("escapes in an unknown case field", "assess",
                _doc(_set(["cases", 0, f"k{ESC}"], 1))),
        Hostile("one case number twice", "import", _doc(_second_case("zz26p00001"))),
        Hostile("a referral acknowledged by a file", "import", _doc(_acknowledged)),
        Hostile("/dev/zero", "import", path="/dev/zero"),
        Hostile("/dev/zero", "assess", path="/dev/zero"),
        Hostile("a folder", "import", path="."),
        Hostile("no such file", "assess", path="/nonexistent/case.json"),
        Hostile("escape in a CSV column", "providers import",
                f"id,name,activities,jurisdiction,col{ESC}\n".encode()),
        Hostile("CSV in UTF-16", "providers import",
                "id,name,activities,jurisdiction\nx,Y,wt4c,wales\n".encode("utf-16")),
        Hostile("/dev/zero as a directory", "providers import", path="/dev/zero"),
    ]  # fmt: skip


@attrs.frozen
class Outcome:
    code: int
    stdout: bytes
    stderr: bytes


def run_cli(args: list[str], *, env_extra: dict[str, str] | None = None) -> Outcome:
    env = os.environ | {"DUTY_TUI_PASSPHRASE": PASS} | (env_extra or {})
    done = subprocess.run(
        [sys.executable, "-m", "duty_tui.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    return Outcome(done.returncode, done.stdout, done.stderr)


def mishandled(case: Hostile, tmp: Path) -> str | None:
    """Why ``case`` was mishandled, or None if every rule held."""
    if case.path is not None:
        target = case.path
    else:
        target_path = tmp / "input.csv" if case.command == "providers import" else tmp / "in.json"
        target_path.write_bytes(case.content or b"")
        target = str(target_path)
    data_dir = tmp / "data"
    if case.command == "providers import":
        from store import KdfParams, Store

        Store.create(data_dir, PASS, kdf=KdfParams.for_tests()).close()
        before = sorted(p.name for p in (data_dir / "tables").iterdir())
    args = [*case.command.split(), target]
    if case.command != "assess":
        args += ["--data-dir", str(data_dir)]
    outcome = run_cli(args)
    output = outcome.stdout + outcome.stderr
    if outcome.code != case.expect:
        return f"exit {outcome.code}, expected {case.expect}: {outcome.stderr[-300:]!r}"
    if any((b < 32 and b not in (9, 10, 13)) or b == 0x7F for b in output):
        return f"a control byte reached the terminal: {output[-300:]!r}"
    if b"Traceback" in output:
        return "a traceback"
    if case.expect != 0:
        if not outcome.stderr.startswith(b"duty-tui: "):
            return f"no clear message: {outcome.stderr[:200]!r}"
        if case.command == "import" and (data_dir / "keyfile").exists():
            from store import Store

            with Store.open(data_dir, PASS) as store:
                if store.summaries():
                    return "something was stored from a refused file"
        if case.command == "providers import":
            after = sorted(p.name for p in (data_dir / "tables").iterdir())
            if after != before:
                return "the provider directory changed on a refused file"
    elif case.clean is not None:
        return case.clean(data_dir)
    return None


def data_dir_cases() -> list[tuple[str, list[str]]]:
    """Every store-using command, for a data dir that is a file or cannot be written."""
    return [
        ("list", ["list"]),
        ("export", ["export"]),
        ("doctor", ["doctor"]),
        ("sync", ["sync"]),
        ("providers list", ["providers", "list"]),
        ("import", ["import", str(EXAMPLE)]),
    ]
