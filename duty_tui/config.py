"""The app's configuration: a TOML file in the user's config dir, and the officer's profile.

The TOML file holds no personal data (it is not encrypted): only how the app behaves::

    idle_lock_minutes = 5          # lock after this long without a key press; 0.5 to 15

    [keymap]                       # binding id -> keys, as Textual's App.set_keymap takes them
    "app.lock" = "ctrl+l,f12"
    "duty.filter" = "slash,ctrl+f"

The keymap's ids and key names are checked by the app (duty_tui/keymap.py needs Textual).

The officer's profile (name, role, home court, jurisdiction) names a person, so it lives in the
encrypted store, in its ``settings`` table.

No Textual here: ``duty-tui`` subcommands and tests read the config without loading the UI.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from duty_tui.i18n import _

if TYPE_CHECKING:
    # Imported where used: the app reads its config before its first screen, and start-up
    # time is measured (records build attrs classes; the store loads cryptography).
    from records.model import Jurisdiction, Officer
    from store import Store

CONFIG_DIR_ENV = "DUTY_TUI_CONFIG_DIR"
CONFIG_FILE = "config.toml"

IDLE_LOCK_DEFAULT_MINUTES = 5.0
# Special-category data on a laptop in a shared court building: never unlocked for longer.
IDLE_LOCK_MAX_MINUTES = 15.0
# Below this the app would lock while the officer is reading a long screen.
IDLE_LOCK_MIN_MINUTES = 0.5
# Above this a value is not a choice to clamp but a mistake (seconds for minutes, a stray
# digit): refused, and the default used rather than the maximum.
IDLE_LOCK_ABSURD_MINUTES = 240.0

SETTINGS_TABLE = "settings"
PROFILE_KEY = "officer_profile"


def config_dir() -> Path:
    """$DUTY_TUI_CONFIG_DIR, else the platform's user config dir for duty-tui."""
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("duty-tui", appauthor=False))


@dataclasses.dataclass(frozen=True)
class Config:
    idle_lock_minutes: float = IDLE_LOCK_DEFAULT_MINUTES
    keymap: dict[str, str] = dataclasses.field(default_factory=dict)
    # What was wrong with the file and what was used instead, for the app to show once.
    warnings: tuple[str, ...] = ()
    path: Path | None = None

    @property
    def idle_lock_seconds(self) -> float:
        return self.idle_lock_minutes * 60


def load_config(path: Path | None = None) -> Config:
    """The config at ``path`` (default: config.toml in :func:`config_dir`).

    Never raises for a bad file: a duty officer at court must still get into the app. Each
    problem becomes a warning saying what was used instead.
    """
    path = path if path is not None else config_dir() / CONFIG_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config(path=path)
    except OSError as exc:
        text = _("cannot read {path}: {error}; using defaults").format(
            path=path, error=exc.strerror
        )
        return Config(warnings=(text,), path=path)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        text = _("{path} is not valid TOML ({error}); using defaults").format(path=path, error=exc)
        return Config(warnings=(text,), path=path)
    except (ValueError, RecursionError):
        # tomllib lets these through for an integer of thousands of digits or arrays nested
        # thousands deep; the app must open all the same.
        return Config(
            warnings=(
                _("{path} holds a value too large or too deep to read; using defaults").format(
                    path=path
                ),
            ),
            path=path,
        )
    return _from_data(data, path)


def _from_data(data: dict[str, Any], path: Path) -> Config:
    warnings: list[str] = []
    minutes = _idle_minutes(data.get("idle_lock_minutes", IDLE_LOCK_DEFAULT_MINUTES), warnings)
    keymap: dict[str, str] = {}
    raw_keymap = data.get("keymap", {})
    if not isinstance(raw_keymap, dict):
        warnings.append(_('[keymap] must be a table of binding id = "keys"; ignored'))
        raw_keymap = {}
    for binding_id, keys in raw_keymap.items():
        if isinstance(keys, list) and all(isinstance(k, str) for k in keys):
            keys = ",".join(keys)
        if not isinstance(keys, str) or not keys.strip():
            warnings.append(
                _('keymap {binding}: keys must be text like "ctrl+l"; ignored').format(
                    binding=repr(binding_id)
                )
            )
            continue
        keymap[str(binding_id)] = ",".join(k.strip() for k in keys.split(",") if k.strip())
    unknown = sorted(set(data) - {"idle_lock_minutes", "keymap"})
    if unknown:
        warnings.append(
            _("unknown setting(s) in {file}: {settings}; ignored").format(
                file=path.name, settings=", ".join(unknown)
            )
        )
    return Config(idle_lock_minutes=minutes, keymap=keymap, warnings=tuple(warnings), path=path)


def _idle_minutes(value: Any, warnings: list[str]) -> float:
    """Minutes before the idle lock, or the default with a warning for anything unusable.

    Refused (the default used): not a number, NaN (every comparison with it is false, so the
    app would never lock), infinity, negative, and absurd values over IDLE_LOCK_ABSURD_MINUTES
    (most likely seconds typed as minutes). Within reason, a value out of bounds is moved to
    the nearest bound: at most IDLE_LOCK_MAX_MINUTES, at least IDLE_LOCK_MIN_MINUTES.
    """
    default = f"{IDLE_LOCK_DEFAULT_MINUTES:g}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        warnings.append(
            _("idle_lock_minutes must be a number of minutes; using the default, {default}").format(
                default=default
            )
        )
        return IDLE_LOCK_DEFAULT_MINUTES
    # TOML integers are unbounded: compare before any float() or :g, which would overflow.
    if isinstance(value, float) and not math.isfinite(value):
        warnings.append(
            _(
                "idle_lock_minutes {value} is not a number of minutes; using the default, {default}"
            ).format(value=value, default=default)
        )
        return IDLE_LOCK_DEFAULT_MINUTES
    if value < 0 or value > IDLE_LOCK_ABSURD_MINUTES:
        shown = str(value) if len(str(value)) <= 20 else str(value)[:20] + "…"
        warnings.append(
            _(
                "idle_lock_minutes {value} is not a sensible number of minutes "
                "(0 to {most}); using the default, {default}"
            ).format(value=shown, most=f"{IDLE_LOCK_MAX_MINUTES:g}", default=default)
        )
        return IDLE_LOCK_DEFAULT_MINUTES
    if value > IDLE_LOCK_MAX_MINUTES:
        warnings.append(
            _(
                "idle_lock_minutes {value} is more than the {most} allowed for case data; "
                "using {most}"
            ).format(value=f"{value:g}", most=f"{IDLE_LOCK_MAX_MINUTES:g}")
        )
        return IDLE_LOCK_MAX_MINUTES
    if value < IDLE_LOCK_MIN_MINUTES:
        warnings.append(
            _("idle_lock_minutes {value} is less than {least}; using {least}").format(
                value=f"{value:g}", least=f"{IDLE_LOCK_MIN_MINUTES:g}"
            )
        )
        return IDLE_LOCK_MIN_MINUTES
    return float(value)


# --- the officer's profile, kept in the encrypted store ------------------------------------------


@dataclasses.dataclass(frozen=True)
class OfficerProfile:
    """Who is on duty and where; new cases take their court, jurisdiction and officer from it.

    Make one with :meth:`parse`, which validates every field.
    """

    officer: Officer
    court: str
    jurisdiction: Jurisdiction
    # The officer's language, "cy" or "en" (duty_tui/i18n.py); None: not chosen, so the
    # system's. A profile saved before there was a choice has none.
    language: str | None = None

    @classmethod
    def parse(
        cls, name: str, role: str, court: str, jurisdiction: str, language: str | None = None
    ) -> OfficerProfile:
        """From what the officer typed; RecordError (field, reason) for the first bad value."""
        from records.model import (
            NAME_MAX,
            Jurisdiction,
            Officer,
            OfficerRole,
            RecordError,
        )
        from records.text import TextError, clean_text

        try:
            court = clean_text(court, field="home court", max_length=NAME_MAX)
        except TextError as exc:
            raise RecordError("home court", str(exc)) from None
        if not court:
            raise RecordError("home court", _("home court is required"))
        try:
            officer_role = OfficerRole(role)
        except ValueError:
            raise RecordError("role", _("role must be FCA or FCSW")) from None
        try:
            where = Jurisdiction(jurisdiction)
        except ValueError:
            raise RecordError("jurisdiction", _("jurisdiction must be Wales or England")) from None
        from duty_tui.i18n import normalise

        return cls(
            officer=Officer(name=name, role=officer_role),
            court=court,
            jurisdiction=where,
            language=normalise(language),
        )

    def to_dict(self) -> dict[str, str]:
        data = {
            "name": self.officer.name,
            "role": self.officer.role.value,
            "court": self.court,
            "jurisdiction": self.jurisdiction.value,
        }
        if self.language:
            data["language"] = self.language
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OfficerProfile:
        language = data.get("language")
        return cls.parse(
            data["name"],
            data["role"],
            data["court"],
            data["jurisdiction"],
            language if isinstance(language, str) else None,
        )


def load_profile(store: Store) -> OfficerProfile | None:
    """The profile saved in the store, or None (a store made by ``duty-tui import``)."""
    for doc in store.table(SETTINGS_TABLE).all():
        if doc.get("key") == PROFILE_KEY:
            try:
                return OfficerProfile.from_dict(doc.get("value", {}))
            except (KeyError, TypeError, ValueError):
                return None  # asked for again rather than refusing to open the app
    return None


def save_profile(store: Store, profile: OfficerProfile) -> None:
    from tinydb import Query

    table = store.table(SETTINGS_TABLE)
    table.upsert({"key": PROFILE_KEY, "value": profile.to_dict()}, Query().key == PROFILE_KEY)
