"""`duty-tui sync` never takes the device token on its command line, where `ps` shows it to
every user: it comes from a private file, the environment, the encrypted settings or a prompt.
Against a real `duty-central serve` on loopback (SQLite)."""

from __future__ import annotations

import getpass
import os
import subprocess
import sys

import pytest

from central import service
from central.db import make_engine
from duty_tui.cli import main
from duty_tui.services.central_config import load_central_config
from store import KdfParams, Store
from store.outbox import NewEntry, Outbox
from tests.sync.central_process import CentralProcess
from tests.sync.helpers import PASSPHRASE, ROOT, sample_payload


@pytest.fixture(scope="module")
def central_process(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('central') / 'central.sqlite3'}"
    with CentralProcess(url) as process:
        yield process


@pytest.fixture
def central(central_process, request):
    """Central (shared by the module) and a device token of this test's own."""
    engine = make_engine(central_process.db_url)
    try:
        token = service.issue_token(engine, request.node.name[:60])
    finally:
        engine.dispose()
    return central_process, token


@pytest.fixture
def app_dir(tmp_path, monkeypatch):
    """A store with three queued referrals; the passphrase from the environment."""
    monkeypatch.setenv("DUTY_TUI_PASSPHRASE", PASSPHRASE)
    for name in ("DUTY_TUI_DEVICE_TOKEN", "DUTY_TUI_CENTRAL_URL", "DUTY_TUI_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    data_dir = tmp_path / "app"
    with Store.create(data_dir, PASSPHRASE, kdf=KdfParams.for_tests()) as store:
        queue(store, "a", 3)
    return data_dir


def queue(store: Store, prefix: str, count: int) -> None:
    Outbox(store).enqueue_many(
        [NewEntry(f"ref-{prefix}{i}", 1, "case-1", sample_payload()) for i in range(count)]
    )


def pending(data_dir) -> int:
    with Store.open(data_dir, PASSPHRASE) as store:
        return Outbox(store).pending_count()


def no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)

    def must_not_ask(_prompt: str = "") -> str:
        raise AssertionError("asked for a token with no terminal")

    monkeypatch.setattr(getpass, "getpass", must_not_ask)


@pytest.mark.parametrize("argv", [["--token", "SECRET-abc"], ["--token=SECRET-abc"], ["--token"]])
def test_token_on_the_command_line_is_refused_with_the_safe_ways(app_dir, argv, capsys):
    code = main(["sync", "--data-dir", str(app_dir), "--central", "http://127.0.0.1:9", *argv])
    out, err = capsys.readouterr()
    assert code == 2
    assert "--token is not accepted" in err and "ps" in err
    for way in ("DUTY_TUI_DEVICE_TOKEN", "--token-file PATH", "prompt", "--save"):
        assert way in err
    assert "SECRET" not in out + err
    assert pending(app_dir) == 3


def test_help_offers_a_token_file_and_no_token_option():
    shown = subprocess.run(
        [sys.executable, "-m", "duty_tui.cli", "sync", "--help"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    assert "--token-file PATH" in shown
    assert "--token " not in shown and "--token\n" not in shown


@pytest.mark.slow
def test_token_file_must_be_private(central, app_dir, tmp_path, capsys, monkeypatch):
    process, token = central
    no_terminal(monkeypatch)
    path = tmp_path / "device-token"
    path.write_text(token + "\n")
    os.chmod(path, 0o644)
    argv = ["sync", "--data-dir", str(app_dir), "--central", process.url, "--token-file", str(path)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "open to other users (mode 0644)" in err and f"chmod 600 {path}" in err
    assert token not in err
    assert pending(app_dir) == 3
    os.chmod(path, 0o640)
    assert main(argv) == 2
    capsys.readouterr()
    os.chmod(path, 0o600)
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert "acknowledged 3 now" in out and token not in out + err
    assert pending(app_dir) == 0


@pytest.mark.slow
def test_bad_token_files_are_named_not_quoted(central, app_dir, tmp_path, capsys, monkeypatch):
    process, _token = central
    no_terminal(monkeypatch)
    base = ["sync", "--data-dir", str(app_dir), "--central", process.url, "--token-file"]
    missing = tmp_path / "missing"
    assert main([*base, str(missing)]) == 2
    assert f"cannot read --token-file {missing}" in capsys.readouterr().err
    two = tmp_path / "two-lines"
    two.write_text("first-secret-line\nsecond-secret-line\n")
    os.chmod(two, 0o600)
    assert main([*base, str(two)]) == 2
    err = capsys.readouterr().err
    assert "one line" in err and "secret-line" not in err
    assert main([*base, str(tmp_path)]) == 2  # a directory
    assert "not a regular file" in capsys.readouterr().err


@pytest.mark.slow
def test_token_from_the_environment_is_saved_and_used_next_time(
    central, app_dir, capsys, monkeypatch
):
    process, token = central
    no_terminal(monkeypatch)
    monkeypatch.setenv("DUTY_TUI_DEVICE_TOKEN", token)
    assert main(["sync", "--data-dir", str(app_dir), "--central", process.url, "--save"]) == 0
    with Store.open(app_dir, PASSPHRASE) as store:
        saved = load_central_config(store)
        assert saved is not None and saved.token == token and saved.url == process.url
        queue(store, "b", 2)
    monkeypatch.delenv("DUTY_TUI_DEVICE_TOKEN")
    assert main(["sync", "--data-dir", str(app_dir)]) == 0  # URL and token from the settings
    out, err = capsys.readouterr()
    assert "acknowledged 2 now" in out and token not in out + err


@pytest.mark.slow
def test_token_typed_at_the_prompt_is_not_echoed_and_can_be_saved(
    central, app_dir, capsys, monkeypatch
):
    process, token = central
    asked: list[str] = []

    def typed(prompt: str = "") -> str:
        asked.append(prompt)
        return token

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(getpass, "getpass", typed)
    assert main(["sync", "--data-dir", str(app_dir), "--central", process.url, "--save"]) == 0
    assert asked == ["Device token: "]
    out, err = capsys.readouterr()
    assert "acknowledged 3 now" in out and token not in out + err
    with Store.open(app_dir, PASSPHRASE) as store:
        saved = load_central_config(store)
        assert saved is not None and saved.token == token


def test_no_token_and_no_terminal_says_how_to_give_one(app_dir, capsys, monkeypatch):
    no_terminal(monkeypatch)
    assert main(["sync", "--data-dir", str(app_dir), "--central", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert "no device token" in err and "--token-file PATH" in err
    assert pending(app_dir) == 3
