"""`duty-tui providers import FILE` / `duty-tui providers list`: the directory the app chooses from.

Without central records (or before the first sync) an officer's team can hand out a directory
file (JSON providers format or CSV, docs/case-format.md). Import is whole or nothing: a file with
any bad row is refused with every problem and the directory kept is left as it was. The next
refresh from central replaces an imported directory: central is the authority when there is one.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from duty_tui.commands.common import Refused, add_data_dir_argument, open_store
from duty_tui.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    importing = actions.add_parser(
        "import", help=_("replace the directory with a JSON or CSV file")
    )
    importing.add_argument("file", type=Path, help=_("providers JSON (duty-tui/providers) or .csv"))
    add_data_dir_argument(importing)
    listing = actions.add_parser("list", help=_("print the directory the app uses"))
    listing.add_argument("--json", action="store_true", help=_("one JSON object per line"))
    add_data_dir_argument(listing)


def run(args: argparse.Namespace) -> int:
    if args.action == "import":
        return _import(args)
    return _list(args)


def _import(args: argparse.Namespace) -> int:
    from duty_tui.services.options import DirectoryError, load_directory
    from duty_tui.services.provider_cache import store_providers

    path: Path = args.file
    # Read and check the file before asking for the passphrase: a typo costs nothing.
    try:
        directory = load_directory(path)
    except DirectoryError as exc:
        problems = "\n".join(f"  {p}" for p in exc.problems)
        raise Refused(
            _("{path} refused, nothing imported:\n{problems}").format(path=path, problems=problems)
        ) from None
    except OSError as exc:
        raise Refused(
            _("{path}: {problem}").format(path=path, problem=exc.strerror or exc)
        ) from None
    if not directory.providers:
        raise Refused(
            _("{path} lists no providers; the directory kept is unchanged").format(path=path)
        )
    store = open_store(args)
    try:
        count = store_providers(store, directory.providers, source=path.name)
    finally:
        store.close()
    line = (
        _("imported {count} providers from {file} (all marked sample: fictional)")
        if directory.sample
        else _("imported {count} providers from {file}")
    )
    print(line.format(count=count, file=path.name))
    return 0


def _list(args: argparse.Namespace) -> int:
    from duty_tui.services.provider_cache import cached_providers

    store = open_store(args)
    try:
        providers, _fetched = cached_providers(store)
    finally:
        store.close()
    if not providers:
        from duty_tui.services.options import sample_directory

        providers = list(sample_directory().providers)
        if not args.json:
            print(_("# no directory imported or fetched: the app uses the sample directory"))
    for p in providers:
        activities = ",".join(a.value for a in p.activities)
        if args.json:
            row = {"id": p.id, "name": p.name, "activities": [a.value for a in p.activities]}
            print(json.dumps(row, ensure_ascii=False))
        else:
            print(f"{p.id}\t{p.name}\t{activities}\t{' '.join(p.areas)}")
    return 0
