"""`duty-tui providers import/list`: a directory file replaces the one the app chooses from,
whole or not at all."""

import pytest

from duty_tui.cli import main

PASS = "correct horse battery staple"
HEADER = (
    "id,name,activities,jurisdiction,areas,venue_postcode,delivery,languages,accreditation,"
    "next_available,phone,email,sample\n"
)
ROW = (
    "ty-gwyn-wt4c,Tŷ Gwyn Sample Centre,wt4c,wales,SA;LL,SA1 1AA,remote;face_to_face,"
    "welsh;english,none,2026-12-01,,,true\n"
)


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("DUTY_TUI_PASSPHRASE", PASS)
    monkeypatch.delenv("DUTY_TUI_DATA_DIR", raising=False)
    data = tmp_path / "data"
    from store import KdfParams, Store

    Store.create(data, PASS, kdf=KdfParams.for_tests()).close()
    return data


def test_list_says_when_the_sample_directory_is_in_use(env, capsys):
    assert main(["providers", "list", "--data-dir", str(env)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# no directory imported or fetched")
    assert "sample-wt4c-cardiff" in out


def test_csv_import_replaces_the_directory_and_is_encrypted(env, tmp_path, capsys):
    path = tmp_path / "dir.csv"
    path.write_text(HEADER + ROW, encoding="utf-8")
    assert main(["providers", "import", str(path), "--data-dir", str(env)]) == 0
    assert "imported 1 providers from dir.csv" in capsys.readouterr().out
    assert main(["providers", "list", "--data-dir", str(env)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["ty-gwyn-wt4c\tTŷ Gwyn Sample Centre\twt4c\tSA LL"]
    raw = b"".join(p.read_bytes() for p in env.rglob("*") if p.is_file())
    assert "Tŷ Gwyn".encode() not in raw


def test_a_bad_row_refuses_the_file_and_keeps_the_directory(env, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + ROW, encoding="utf-8")
    assert main(["providers", "import", str(good), "--data-dir", str(env)]) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + ROW.replace("ty-gwyn", "other") + "x,Y,juggling,wales\n")
    assert main(["providers", "import", str(bad), "--data-dir", str(env)]) == 2
    err = capsys.readouterr().err
    assert "refused, nothing imported" in err and "row 3" in err
    assert main(["providers", "list", "--data-dir", str(env)]) == 0
    assert capsys.readouterr().out.startswith("ty-gwyn-wt4c\t")


def test_missing_file_is_a_clear_message(env, tmp_path, capsys):
    assert main(["providers", "import", str(tmp_path / "nope.json"), "--data-dir", str(env)]) == 2
    assert "No such file" in capsys.readouterr().err
