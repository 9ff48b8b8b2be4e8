"""The Welsh and English catalogs, and that what the officer reads goes through them.

Guards the whole conversion of issue 12: a new user-visible literal that bypasses gettext, an
untranslated or stale Welsh entry, or a placeholder the Welsh sentence lost, fails here.
"""

from __future__ import annotations

import ast
import gettext
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from duty_tui import i18n

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "duty_tui"
LOCALE = PACKAGE / "locale"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}

# Modules whose user-visible text is not yet through gettext (issue 12, converted in a later
# session: others were editing them). This set may only shrink: a module listed here with
# nothing left to convert fails test_the_allow_list_only_shrinks. docs/cymraeg.md lists them.
NOT_YET_CONVERTED: frozenset[str] = frozenset({})


def _catalog(lang: str):
    with (LOCALE / lang / "LC_MESSAGES" / "duty_tui.po").open("rb") as f:
        return read_po(f, locale=lang)


def _extracted() -> set[str | tuple[str, ...]]:
    found: set[str | tuple[str, ...]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.add(message)
    return found


# --- the catalogs -------------------------------------------------------------------------


def test_every_marked_message_is_in_both_catalogs() -> None:
    """A message marked in the code but not in the .po files (make messages not run) would be
    shown in English to a Welsh-speaking officer."""
    marked = _extracted()
    for lang in i18n.LANGUAGES:
        ids = {m.id for m in _catalog(lang) if m.id}
        missing = marked - ids
        assert not missing, (
            f"{lang}: run make messages, then translate: {sorted(map(str, missing))}"
        )


def test_every_welsh_entry_is_translated() -> None:
    untranslated = [
        m.id
        for m in _catalog(i18n.WELSH)
        if m.id
        and (
            "fuzzy" in m.flags
            or not m.string
            or (isinstance(m.string, tuple) and not all(m.string))
        )
    ]
    assert not untranslated, f"Welsh entries without a translation: {untranslated}"


def _placeholders(text: str) -> tuple[list[str], list[str]]:
    braces = sorted(
        name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None
    )
    percents = sorted(re.findall(r"%(?:\((\w+)\))?[srd]", text))
    return braces, percents


def test_welsh_entries_keep_the_english_placeholders() -> None:
    wrong = []
    for m in _catalog(i18n.WELSH):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        # Plural forms may drop the count in a form that says it in words; none here does.
        expected = _placeholders(ids[-1])
        for text in strings:
            if _placeholders(text) != expected:
                wrong.append((ids[0], text))
    assert not wrong, f"placeholders differ: {wrong}"


def test_placeholders_are_named() -> None:
    """Positional ``{}`` cannot be reordered by a translator; Welsh word order needs that.
    (argparse's own ``%s`` msgids are argparse's, kept as it looks them up.)"""
    unnamed = [
        m.id
        for m in _catalog(i18n.ENGLISH)
        if m.id
        and any(
            name == "" or (name or "").isdigit()
            for text in (m.id if isinstance(m.id, tuple) else (m.id,))
            for _lit, name, _spec, _conv in string.Formatter().parse(text)
        )
    ]
    assert not unnamed


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_compiled_catalog_is_the_po_file(lang: str) -> None:
    """The app reads the committed .mo: it must say what the .po says (make messages)."""
    mo = LOCALE / lang / "LC_MESSAGES" / "duty_tui.mo"
    with mo.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    for m in _catalog(lang):
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if not m.id or not all(strings) or "fuzzy" in m.flags:
            continue  # untranslated: gettext shows the msgid
        if isinstance(m.id, tuple):
            for n, text in enumerate(m.string):
                assert compiled._catalog[(m.id[0], n)] == text  # type: ignore[attr-defined]
        else:
            assert compiled.gettext(m.id) == m.string


# --- choosing the language ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cli", "env", "profile", "expected"),
    [
        ("cy", {}, None, "cy"),
        (None, {"DUTY_TUI_LANG": "cy"}, "en", "cy"),
        (None, {}, "cy", "cy"),
        (None, {"LANG": "cy_GB.UTF-8"}, None, "cy"),
        (None, {"LC_ALL": "C", "LANG": "cy_GB.UTF-8"}, None, "en"),
        (None, {"LANG": "cy_GB.UTF-8"}, "en", "en"),
        (None, {"LANG": "fr_FR.UTF-8"}, None, "en"),
        ("en", {"DUTY_TUI_LANG": "cy"}, "cy", "en"),
        ("klingon", {"DUTY_TUI_LANG": "Cymraeg"}, None, "cy"),
        (None, {}, None, "en"),
    ],
)
def test_language_choice_order(
    cli: str | None, env: dict[str, str], profile: str | None, expected: str
) -> None:
    assert i18n.resolve_language(cli=cli, profile=profile, environ=env) == expected


def test_switching_language_changes_what_is_shown_and_tells_listeners() -> None:
    heard: list[str] = []
    stop = i18n.add_listener(heard.append)
    try:
        i18n.set_language("cy")
        assert i18n._("Yes") == "Ie"
        assert i18n._("That passphrase is not right. Try again.").startswith("Nid yw")
        i18n.set_language("en")
        assert i18n._("Yes") == "Yes"
    finally:
        stop()
        i18n.set_language("en")
    assert heard == ["cy", "en"]


# --- literals that bypass gettext ---------------------------------------------------------

WIDGETS = {
    "Label",
    "Static",
    "Button",
    "Checkbox",
    "RadioButton",
    "Switch",
    "Link",
    "FieldRow",
    "Section",
    "ConfirmScreen",
    "PromptScreen",
}
# Methods whose first argument is shown: a Static's new text, a table's column heading. (A rich
# Text's ``append`` is known by its ``style=``: a list's append is mostly keys and ids.)
SHOWN_METHODS = {"update", "add_column"}
SHOWN_KEYWORDS = {
    "placeholder",
    "tooltip",
    "help",
    "description",
    "title",
    "message",
    "prompt",
    # The services' records of why and what next (issue 12): Reason, FollowUp, and the like.
    "text",
    "explanation",
    "label",
    "yes",
    "no",
    "ok",
}
# A rule's reason is built as ``reason(rule_id, text, effect)`` or ``Reason(rule, text, effect)``:
# its second argument is what the officer reads on the verdict, the direction and in assess.
REASONS = {"reason", "Reason"}
TITLES = {"title", "sub_title", "help_title", "TITLE", "SUB_TITLE"}
# A programmer's mistake, never shown to the officer as such: not translated.
PROGRAMMER_ERRORS = {"RuntimeError", "TypeError", "AssertionError", "NotImplementedError"}


def _words(node: ast.AST) -> bool:
    """A literal an officer would read: a string (or f-string) with a word in it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _words(node.left) or _words(node.right)
    else:
        return False
    text = text.replace("duty-tui", "")
    return re.search(r"[A-Za-z]{2,}", text) is not None


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def bypasses(source: str, *, command_line: bool) -> list[tuple[int, str]]:
    """(line, what) for each user-visible literal in ``source`` not given to gettext."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            shown_args: list[ast.expr] = []
            if name == "RecordError":
                shown_args = node.args[1:2]  # (field key, message): the message is shown
            elif (
                name in ("notify", "fail")
                or name in WIDGETS
                or name in SHOWN_METHODS
                or (name == "append" and any(k.arg == "style" for k in node.keywords))
                or (name.endswith(("Error", "Refused")) and name not in PROGRAMMER_ERRORS)
            ):
                shown_args = node.args[:1]
            elif name == "Binding":
                shown_args = node.args[2:3]
            elif name in REASONS:
                shown_args = node.args[1:2]
            elif name == "print" and command_line:
                shown_args = node.args[:1]
            shown_args += [k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS]
            for arg in shown_args:
                if _words(arg):
                    found.append((arg.lineno, f"{name}(...)"))
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                attr = _name(target) if isinstance(target, ast.Attribute | ast.Name) else ""
                if attr in TITLES and node.value is not None and _words(node.value):
                    found.append((node.lineno, f"{attr} ="))
    return found


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _allowed(rel: str) -> bool:
    return any(
        rel == entry or (entry.endswith("/") and rel.startswith(entry))
        for entry in NOT_YET_CONVERTED
    )


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "locale" not in p.parts)


def _is_command_line(rel: str) -> bool:
    return rel == "duty_tui/cli.py" or rel.startswith("duty_tui/commands/")


def test_no_user_visible_literal_bypasses_gettext() -> None:
    offences = []
    for path in _modules():
        rel = _relative(path)
        if _allowed(rel):
            continue
        for line, what in bypasses(
            path.read_text(encoding="utf-8"), command_line=_is_command_line(rel)
        ):
            offences.append(f"{rel}:{line}: {what}")
    assert not offences, "wrap these in _() (duty_tui/i18n.py):\n" + "\n".join(offences)


def test_the_allow_list_only_shrinks() -> None:
    """A module listed as not yet converted that has nothing left to convert comes off the
    list, so that it stays converted; a listed module that no longer exists comes off too."""
    stale = []
    for entry in sorted(NOT_YET_CONVERTED):
        paths = sorted((ROOT / entry).rglob("*.py")) if entry.endswith("/") else [ROOT / entry]
        if not all(p.exists() for p in paths) or not paths:
            stale.append(f"{entry}: no such module")
            continue
        if not any(
            bypasses(p.read_text(encoding="utf-8"), command_line=_is_command_line(_relative(p)))
            for p in paths
        ):
            stale.append(f"{entry}: nothing left to convert")
    assert not stale, "take these off NOT_YET_CONVERTED:\n" + "\n".join(stale)


@pytest.mark.parametrize(
    "source",
    [
        'self.notify("Saved")',
        'yield Static(f"Case {n} saved")',
        'Binding("q", "quit", "Quit")',
        'raise ValueError("bad date")',
        'title = "Duty list"',
        'x.add_argument("--x", help="what it does")',
        'FieldRow("Home court", Input(id="court"))',
        'print("imported")',
        'reason("ORDER-FIRST", "directed by the court", Effect.MET)',
        'reason("PD12B-LETTER", f"safeguarding letter of {on} to be attached", Effect.MET)',
        'Reason(rule, "the provider does not fit", Effect.BLOCKS)',
        'FollowUp(kind, text="attendance confirmed to the court")',
        'self.query_one(Static).update("No hearings")',
        'table.add_column("Case number", key="case")',
        'text.append("Referral: ", style="bold")',
        'raise RecordError("court", "court is required")',
        'yield Section("Hearing", id="s")',
        'ConfirmScreen(_("Remove?"), yes="Remove", no="Keep")',
        'screen.field("x.y", label="answered on")',
    ],
)
def test_the_scan_finds_a_bare_literal(source: str) -> None:
    assert bypasses(source, command_line=True)


@pytest.mark.parametrize(
    "source",
    [
        'self.notify(_("Saved"))',
        'yield Static(_("Case {n} saved").format(n=n))',
        'Binding("q", "quit", N_("Quit"))',
        'yield Static("", id="x")',
        'yield Static(" · ")',
        'print(f"{number}\\t{date}")',
        'reason("ORDER-FIRST", _("directed by the court"), Effect.MET)',
        'reason(rule_id, f"{label}: {answer}", Effect.MET)',
        'text.append(" · ", style="dim")',
        'raise RecordError("home court", _("home court is required"))',
        "table.add_column(_(COLUMNS[key]), key=key)",
    ],
)
def test_the_scan_passes_translated_and_wordless_text(source: str) -> None:
    assert not bypasses(source, command_line=True)


# --- the command line follows --lang ------------------------------------------------------


def test_command_line_messages_follow_lang(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from duty_tui.cli import main

    try:
        missing = tmp_path / "nothing.json"
        assert main(["assess", str(missing), "--lang", "cy"]) == 2
        assert "ni ellir darllen" in capsys.readouterr().err
        assert main(["--lang=en", "assess", str(missing)]) == 2
        assert "cannot read" in capsys.readouterr().err
        with pytest.raises(SystemExit):
            main(["--lang", "cy", "--help"])
        out = capsys.readouterr().out
        assert "defnydd: duty-tui" in out
        assert "agor yr ap (y rhagosodiad)" in out
    finally:
        i18n.set_language("en")


def test_command_line_follows_duty_tui_lang(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from duty_tui.cli import main

    monkeypatch.setenv("DUTY_TUI_LANG", "cy")
    try:
        assert main(["assess", str(tmp_path / "nothing.json")]) == 2
        assert "ni ellir darllen" in capsys.readouterr().err
    finally:
        i18n.set_language("en")


# --- the officer's profile keeps the language ---------------------------------------------


def test_profile_keeps_the_language_and_reads_an_older_profile() -> None:
    from duty_tui.config import OfficerProfile

    older = {"name": "Ffug Officer", "role": "FCA", "court": "Cardiff", "jurisdiction": "wales"}
    profile = OfficerProfile.from_dict(older)
    assert profile.language is None
    assert "language" not in profile.to_dict()
    welsh = OfficerProfile.from_dict({**older, "language": "Cymraeg"})
    assert welsh.language == "cy"
    assert OfficerProfile.from_dict(welsh.to_dict()) == welsh
    # A value the app does not know is no choice: the system's language is used instead.
    assert OfficerProfile.from_dict({**older, "language": "fr"}).language is None
    assert OfficerProfile.from_dict({**older, "language": 7}).language is None


def test_question_labels_are_the_records_words() -> None:
    """The questions are worded in records/model.py, which knows no gettext; the catalogue marks
    the same words for translation. A question reworded in one place only would show English."""
    from duty_tui.services.catalogue import QUESTION_LABELS
    from records.model import COURT_QUESTIONS, PERSON_QUESTIONS, SCREENING_QUESTIONS

    assert dict(QUESTION_LABELS) == {**SCREENING_QUESTIONS, **PERSON_QUESTIONS, **COURT_QUESTIONS}


def test_attendance_words_are_the_records_words() -> None:
    from duty_tui.services.monitoring import ATTENDANCE_WORDS
    from records.model import Attendance

    assert {a: a.label for a in Attendance} == ATTENDANCE_WORDS
