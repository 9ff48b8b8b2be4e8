"""`duty-tui sync`: send queued referrals to central records, retrying until done or timed out.

Exit codes: 0 every queued referral is acknowledged and none was refused in this run;
1 some are still waiting (central unreachable; run again later), or central holds referrals from
this laptop that its outbox has forgotten (named on stderr); 2 usage or store problem;
3 central refused one or more referrals (terminal: the reasons are in the app's sync log);
4 central refused the device token or there is no central at that URL.

The device token never goes on the command line, where every user of the laptop can read it
(``ps``, /proc/PID/cmdline). It comes from ``--token-file PATH`` (a file only its owner can
read), ``$DUTY_TUI_DEVICE_TOKEN``, the encrypted settings, or a prompt on the terminal, in
that order; ``--save`` keeps it (and the URL) in the encrypted settings.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import stat
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from duty_tui.commands.common import Refused, add_data_dir_argument, fail, open_store
from duty_tui.i18n import _, ngettext

CENTRAL_URL_ENV = "DUTY_TUI_CENTRAL_URL"
DEVICE_TOKEN_ENV = "DUTY_TUI_DEVICE_TOKEN"  # noqa: S105 - the variable name, not a secret
TOKEN_FILE_MAX_BYTES = 4096  # a token is 43 characters; anything this big is the wrong file


def no_token_on_the_command_line() -> str:
    return _(
        "--token is not accepted: a token on the command line can be read by every user of "
        "this computer (ps). Instead, put it in ${env}, in a file only you can read "
        "(--token-file PATH, chmod 600), type it at the prompt (run in a terminal), or keep it "
        "in the encrypted settings (--save)"
    ).format(env=DEVICE_TOKEN_ENV)


def no_token() -> str:
    return _(
        "no device token: put it in ${env}, in a file only you can read (--token-file PATH, "
        "chmod 600), type it at the prompt (run in a terminal), or keep it in the encrypted "
        "settings (--save)"
    ).format(env=DEVICE_TOKEN_ENV)


if TYPE_CHECKING:  # the command line stays light: nothing heavy at import time
    from duty_tui.services.sync_engine import SyncReport


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_dir_argument(parser)
    parser.add_argument(
        "--central",
        default=None,
        help=_("central URL (default: ${env} or settings)").format(env=CENTRAL_URL_ENV),
    )
    parser.add_argument(
        "--token-file",
        type=Path,
        default=None,
        metavar="PATH",
        help=_(
            "read the device token from PATH, a file only you can read (default: "
            "${env}, the saved settings, or a prompt on the terminal)"
        ).format(env=DEVICE_TOKEN_ENV),
    )
    # Refused, not just gone: without it argparse would take `--token T` as an abbreviation
    # of --token-file, and T for a file name to read and name in its error.
    parser.add_argument(
        "--token", dest="token_argument", nargs="?", const="", default=None, help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--save", action="store_true", help=_("keep this URL and token in the encrypted settings")
    )
    parser.add_argument(
        "--max-time", type=float, default=60.0, help=_("seconds to keep retrying (default 60)")
    )
    parser.add_argument("--batch-size", type=int, default=100, help=_("referrals per request"))
    parser.add_argument("--providers", action="store_true", help=_("also refresh the providers"))
    parser.add_argument(
        "--verify",
        action="store_true",
        help=_(
            "check now that central still holds every referral it acknowledged, and resend "
            "what it lost (done anyway once an hour)"
        ),
    )
    parser.add_argument("--json", action="store_true", help=_("print the report as JSON"))
    parser.add_argument(
        "--verbose", action="store_true", help=_("print central's reason for each refusal")
    )


def run(args: argparse.Namespace) -> int:
    import asyncio

    from duty_tui.services.central_config import (
        CentralConfig,
        SyncConfigError,
        SyncError,
        load_central_config,
        load_retention_days,
        load_verified_at,
        save_central_config,
        save_verified_at,
        verification_due,
    )
    from duty_tui.services.referrals import reconcile_all_if_changed
    from duty_tui.services.sync_engine import SyncEngine
    from store import StoreError, TableUnreadable
    from store.cases import CaseRepository
    from store.outbox import Outbox

    if args.token_argument is not None:
        args.token_argument = None  # never used, never printed
        return fail(no_token_on_the_command_line())
    # Checked before the passphrase is asked for: a bad file is the first thing to fix.
    token = read_token_file(args.token_file) if args.token_file else ""
    token = token or os.environ.get(DEVICE_TOKEN_ENV, "")

    store = open_store(args)
    try:
        outbox = Outbox(store)
        outbox.counts_by_state()  # a lost or older outbox stops everything first
        stored = load_central_config(store)
        url = args.central or os.environ.get(CENTRAL_URL_ENV) or (stored.url if stored else "")
        if not url:
            return fail(
                _("no central URL: pass --central URL, set {env}, or save one with --save").format(
                    env=CENTRAL_URL_ENV
                )
            )
        token = token or (stored.token if stored else "") or prompt_for_token()
        if not token:
            return fail(no_token())
        try:
            config = CentralConfig(url=url, token=token, batch_size=args.batch_size)
        except SyncConfigError as exc:
            return fail(str(exc))
        if args.save:
            save_central_config(store, config)
        cases = CaseRepository(store)
        retention_s = load_retention_days(store) * 86_400.0
        verify = args.verify or verification_due(load_verified_at(store), time.time())
        resent: list[tuple[str, int]] = []

        async def go() -> tuple[SyncReport, str, list[tuple[str, int]]]:
            # No ``cases=``: the engine would reconcile after every pass and the run again at the
            # end; one reconcile, from one index of the outbox, is all a run needs.
            async with SyncEngine(outbox, config, retention_s=retention_s) as engine:
                report = await engine.drain(max_time_s=args.max_time)
                forgotten: list[tuple[str, int]] = []
                if not report.fatal:
                    try:
                        forgotten = await engine.forgotten_referrals()
                    except SyncError:
                        pass  # an older central without the listing: nothing to compare
                if verify and not report.fatal and not report.remaining:
                    # Central restored from an older copy has lost what it acknowledged since:
                    # what it no longer holds is queued again and sent in this same run.
                    try:
                        resent.extend(await engine.verify_acknowledged())
                    except SyncError as exc:
                        report.error = report.error or _("not verified: {problem}").format(
                            problem=exc
                        )
                    else:
                        save_verified_at(store, time.time())
                    if resent:
                        report.add(await engine.drain(max_time_s=args.max_time))
                providers = ""
                if args.providers and not report.fatal:
                    try:
                        refreshed = await engine.refresh_providers()
                        providers = (
                            ngettext("{count} provider", "{count} providers", refreshed.count)
                            if refreshed.changed
                            else ngettext(
                                "{count} provider (unchanged)",
                                "{count} providers (unchanged)",
                                refreshed.count,
                            )
                        ).format(count=refreshed.count)
                    except SyncError as exc:
                        providers = _("providers not refreshed: {problem}").format(problem=exc)
                return report, providers, forgotten

        report, providers, forgotten = asyncio.run(go())
        # Every case the outbox knows about, in case an earlier run died before reconciling;
        # skipped (no case opened) when the outbox has not changed since the last reconcile.
        reconcile_all_if_changed(store, cases, outbox)
        counts = outbox.counts_by_state()
    except TableUnreadable as exc:
        return fail(
            _(
                "referrals cannot be sent: {problem}. Run `duty-tui doctor` to see what "
                "happened and decide; nothing is sent until then"
            ).format(problem=exc)
        )
    except StoreError as exc:
        return fail(str(exc))
    finally:
        store.close()

    _print(report, counts, providers, as_json=args.json, verbose=args.verbose)
    if resent:
        print(
            ngettext(
                "duty-tui: central records no longer held {count} referral they had "
                "acknowledged (their database was put back to an older copy): sent again",
                "duty-tui: central records no longer held {count} referrals they had "
                "acknowledged (their database was put back to an older copy): sent again",
                len(resent),
            ).format(count=len(resent)),
            file=sys.stderr,
        )
    if forgotten:
        ids = ", ".join(f"{r} r{v}" for r, v in forgotten[:20]) + (
            " …" if len(forgotten) > 20 else ""
        )
        print(
            ngettext(
                "duty-tui: central records hold {count} referral sent from this laptop that "
                "its outbox does not know: the outbox was lost or put back to an older copy. "
                "Check it with central (referral id: {ids})",
                "duty-tui: central records hold {count} referrals sent from this laptop that "
                "its outbox does not know: the outbox was lost or put back to an older copy. "
                "Check them with central (referral ids: {ids})",
                len(forgotten),
            ).format(count=len(forgotten), ids=ids),
            file=sys.stderr,
        )
    if report.fatal:
        return 4
    if report.rejected:
        return 3
    if counts["queued"] or counts["sent"] or forgotten:
        return 1
    return 0


def read_token_file(path: Path) -> str:
    """The token in ``path``: one line, in a regular file no other user can read or change.

    Refused (exit 2) otherwise, naming the file and its mode, never its content.
    """
    try:
        # Opened first, then checked: what is checked is what is read. O_NONBLOCK: a FIFO
        # put there is refused below instead of hanging the command on its open.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise Refused(
            _("cannot read --token-file {path}: {problem}").format(
                path=path, problem=exc.strerror or type(exc).__name__
            )
        ) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(_("--token-file {path} is not a regular file").format(path=path))
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077:
            raise Refused(
                _(
                    "--token-file {path} is open to other users (mode {mode}): a device token "
                    "must be readable by you only; chmod 600 {path}, and ask for a new token "
                    "if others may have read it"
                ).format(path=path, mode=f"{mode:04o}")
            )
        raw = b""
        while len(raw) <= TOKEN_FILE_MAX_BYTES:
            chunk = os.read(fd, TOKEN_FILE_MAX_BYTES + 1 - len(raw))
            if not chunk:
                break
            raw += chunk
    except OSError as exc:
        raise Refused(
            _("cannot read --token-file {path}: {problem}").format(
                path=path, problem=exc.strerror or type(exc).__name__
            )
        ) from None
    finally:
        os.close(fd)
    if len(raw) > TOKEN_FILE_MAX_BYTES:
        raise Refused(_("--token-file {path} is too large to be a device token").format(path=path))
    lines = raw.decode("utf-8", errors="replace").strip().splitlines()
    if len(lines) != 1:
        raise Refused(
            _("--token-file {path} must hold the device token alone, on one line").format(path=path)
        )
    return lines[0].strip()


def prompt_for_token() -> str:
    """The token typed at the terminal, not echoed; "" when there is no terminal to ask."""
    if not sys.stdin.isatty():
        return ""
    try:
        return getpass.getpass(_("Device token: ")).strip()
    except EOFError:
        return ""


def _print(
    report: SyncReport, counts: dict[str, int], providers: str, *, as_json: bool, verbose: bool
) -> None:
    rejected = report.rejected
    if as_json:
        print(
            json.dumps(
                {
                    "acknowledged_now": report.acknowledged,
                    "rejected_now": [
                        {"referral_id": r.referral_id, "revision": r.revision}
                        | ({"reason": r.reason} if verbose else {})
                        for r in rejected
                    ],
                    "outbox": counts,
                    "error": report.error,
                    "providers": providers,
                }
            )
        )
        return
    print(
        _(
            "acknowledged {now} now; outbox: {acknowledged} acknowledged, {waiting} waiting, "
            "{rejected} rejected"
        ).format(
            now=report.acknowledged,
            acknowledged=counts["acknowledged"],
            waiting=counts["queued"] + counts["sent"],
            rejected=counts["rejected"],
        )
    )
    for item in rejected:
        # Central's reason can quote a field's value (a postcode, a name): only on request.
        line = (
            _("rejected {referral} r{revision}: {reason}")
            if verbose
            else _("rejected {referral} r{revision} (--verbose for the reason)")
        )
        print(
            line.format(referral=item.referral_id, revision=item.revision, reason=item.reason),
            file=sys.stderr,
        )
    if report.error:
        print(_("duty-tui: {problem}").format(problem=report.error), file=sys.stderr)
    if providers:
        print(providers)
