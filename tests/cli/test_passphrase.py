"""One passphrase policy for every way in, and changing it from the command line."""

from __future__ import annotations

from duty_tui.cli import main
from store import Store

from .conftest import EXAMPLE, PASS

NEW = "a different long passphrase"


def test_import_refuses_a_one_letter_passphrase(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DUTY_TUI_PASSPHRASE", "a")
    data_dir = tmp_path / "data"
    assert main(["import", str(EXAMPLE), "--data-dir", str(data_dir)]) == 2
    assert "too short" in capsys.readouterr().err
    assert not (data_dir / "keyfile").exists()


def test_change_then_rotate(env, monkeypatch, capsys):
    assert main(["import", str(EXAMPLE), "--data-dir", str(env)]) == 0
    monkeypatch.setenv("DUTY_TUI_NEW_PASSPHRASE", NEW)
    assert main(["passphrase", "--data-dir", str(env)]) == 0
    assert "passphrase changed" in capsys.readouterr().out
    monkeypatch.setenv("DUTY_TUI_PASSPHRASE", NEW)
    monkeypatch.setenv("DUTY_TUI_NEW_PASSPHRASE", PASS)
    assert main(["passphrase", "--rotate", "--data-dir", str(env)]) == 0
    out, err = capsys.readouterr()
    assert "encrypted again under a new key" in out
    assert "re-encrypted" in err
    with Store.open(env, PASS) as store:
        assert len(store.summaries()) == 1
        assert store.problems() == []


def test_a_weak_new_passphrase_changes_nothing(env, monkeypatch, capsys):
    assert main(["import", str(EXAMPLE), "--data-dir", str(env)]) == 0
    keyfile = (env / "keyfile").read_bytes()
    monkeypatch.setenv("DUTY_TUI_NEW_PASSPHRASE", "letmein")
    assert main(["passphrase", "--data-dir", str(env)]) == 2
    assert "nothing was changed" in capsys.readouterr().err
    assert (env / "keyfile").read_bytes() == keyfile
