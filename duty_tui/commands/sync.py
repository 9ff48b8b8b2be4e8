"""`duty-tui sync`: send queued referrals to central records, retrying until done or timed out.

Exit codes: 0 every queued referral is acknowledged and none was refused in this run;
1 some are still waiting (central unreachable; run again later), or central holds referrals from
this laptop that its outbox has forgotten (named on stderr); 2 usage or store problem;
3 central refused one or more referrals (terminal: the reasons are in the app's sync log);
4 central refused the device token or there is no central at that URL.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING

from duty_tui.commands.common import add_data_dir_argument, fail, open_store

CENTRAL_URL_ENV = "DUTY_TUI_CENTRAL_URL"
DEVICE_TOKEN_ENV = "DUTY_TUI_DEVICE_TOKEN"  # noqa: S105 - the variable name, not a secret

if TYPE_CHECKING:  # the command line stays light: nothing heavy at import time
    from duty_tui.services.sync import SyncReport


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_dir_argument(parser)
    parser.add_argument(
        "--central", default=None, help=f"central URL (default: ${CENTRAL_URL_ENV} or settings)"
    )
    parser.add_argument(
        "--token",
        default=None,
        help=f"device token (prefer ${DEVICE_TOKEN_ENV}: arguments show in the process list)",
    )
    parser.add_argument(
        "--save", action="store_true", help="keep this URL and token in the encrypted settings"
    )
    parser.add_argument(
        "--max-time", type=float, default=60.0, help="seconds to keep retrying (default 60)"
    )
    parser.add_argument("--batch-size", type=int, default=100, help="referrals per request")
    parser.add_argument("--providers", action="store_true", help="also refresh the providers")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--verbose", action="store_true", help="print central's reason for each refusal"
    )


def run(args: argparse.Namespace) -> int:
    import asyncio

    from duty_tui.services.sync import (
        CentralConfig,
        SyncConfigError,
        SyncEngine,
        SyncError,
        load_central_config,
        reconcile_cases,
        save_central_config,
    )
    from store import StoreError, TableUnreadable
    from store.cases import CaseRepository
    from store.outbox import Outbox

    store = open_store(args)
    try:
        outbox = Outbox(store)
        outbox.counts_by_state()  # a lost or older outbox stops everything first
        stored = load_central_config(store)
        url = args.central or os.environ.get(CENTRAL_URL_ENV) or (stored.url if stored else "")
        token = args.token or os.environ.get(DEVICE_TOKEN_ENV) or (stored.token if stored else "")
        if not url or not token:
            return fail(
                f"no central URL or device token: pass --central/--token, set "
                f"{CENTRAL_URL_ENV}/{DEVICE_TOKEN_ENV}, or save them with --save"
            )
        try:
            config = CentralConfig(url=url, token=token, batch_size=args.batch_size)
        except SyncConfigError as exc:
            return fail(str(exc))
        if args.save:
            save_central_config(store, config)
        cases = CaseRepository(store)

        async def go() -> tuple[SyncReport, str, list[tuple[str, int]]]:
            async with SyncEngine(outbox, config, cases=cases) as engine:
                report = await engine.drain(max_time_s=args.max_time)
                forgotten: list[tuple[str, int]] = []
                if not report.fatal:
                    try:
                        forgotten = await engine.forgotten_referrals()
                    except SyncError:
                        pass  # an older central without the listing: nothing to compare
                providers = ""
                if args.providers and not report.fatal:
                    try:
                        refreshed = await engine.refresh_providers()
                        providers = f"{refreshed.count} providers" + (
                            "" if refreshed.changed else " (unchanged)"
                        )
                    except SyncError as exc:
                        providers = f"providers not refreshed: {exc}"
                return report, providers, forgotten

        report, providers, forgotten = asyncio.run(go())
        # Every case the outbox knows about, in case an earlier run died before reconciling.
        reconcile_cases(cases, outbox)
        counts = outbox.counts_by_state()
    except TableUnreadable as exc:
        return fail(
            f"referrals cannot be sent: {exc}. Run `duty-tui doctor` to see what happened and "
            "decide; nothing is sent until then"
        )
    except StoreError as exc:
        return fail(str(exc))
    finally:
        store.close()

    _print(report, counts, providers, as_json=args.json, verbose=args.verbose)
    if forgotten:
        print(
            f"duty-tui: central records hold {len(forgotten)} referral(s) sent from this laptop "
            "that its outbox does not know: the outbox was lost or put back to an older copy. "
            "Check them with central (referral ids: "
            + ", ".join(f"{r} r{v}" for r, v in forgotten[:20])
            + (" …" if len(forgotten) > 20 else "")
            + ")",
            file=sys.stderr,
        )
    if report.fatal:
        return 4
    if report.rejected:
        return 3
    if counts["queued"] or counts["sent"] or forgotten:
        return 1
    return 0


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
        f"acknowledged {report.acknowledged} now; outbox: "
        f"{counts['acknowledged']} acknowledged, {counts['queued'] + counts['sent']} waiting, "
        f"{counts['rejected']} rejected"
    )
    for item in rejected:
        # Central's reason can quote a field's value (a postcode, a name): only on request.
        why = f": {item.reason}" if verbose else " (--verbose for the reason)"
        print(f"rejected {item.referral_id} r{item.revision}{why}", file=sys.stderr)
    if report.error:
        print(f"duty-tui: {report.error}", file=sys.stderr)
    if providers:
        print(providers)
