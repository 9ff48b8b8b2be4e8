"""``duty-central``: serve central records, issue device tokens, load providers, set statuses."""

from __future__ import annotations

import argparse
import ipaddress
import sys
from collections.abc import Sequence
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def default_db_url() -> str:
    """central.sqlite3 in the user data dir, a directory only this user can enter (0700):
    the file holds children's names and dates of birth. UnsafeDatabase if it cannot be."""
    import platformdirs

    from central.db import private_dir

    data = private_dir(Path(platformdirs.user_data_dir("duty-central", appauthor=False)))
    return f"sqlite:///{data / 'central.sqlite3'}"


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=None,
        help="SQLAlchemy URL: sqlite:///FILE or postgresql+psycopg://USER@HOST/DB "
        "(default: central.sqlite3 in the user data dir)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="duty-central", description=__doc__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = sub.add_parser("serve", help="run the HTTP service (uvicorn)")
    _add_db(serve)
    serve.add_argument("--host", default=DEFAULT_HOST, help="default: loopback only")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--ssl-certfile", default=None, help="serve HTTPS with this certificate")
    serve.add_argument("--ssl-keyfile", default=None)
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--no-access-log", action="store_true", help="log no request lines")
    serve.add_argument(
        "--workers",
        type=_positive,
        default=1,
        help="uvicorn worker processes (default 1); each has its own database pool",
    )

    token = sub.add_parser("issue-token", help="create a device (or replace its token); prints it")
    _add_db(token)
    token.add_argument("--device", required=True, help="a name for the laptop")

    revoke = sub.add_parser("revoke-token", help="stop a device's token working")
    _add_db(revoke)
    revoke.add_argument("--device", required=True)

    providers = sub.add_parser("load-providers", help="replace the provider directory")
    _add_db(providers)
    providers.add_argument("file", type=Path, help="a providers-format JSON file")

    status = sub.add_parser("set-status", help="advance a referral: accepted, attended, rejected")
    _add_db(status)
    status.add_argument("--referral", required=True, help="referral id")
    status.add_argument("--revision", type=int, default=None, help="default: the latest")
    status.add_argument("--device", default=None, help="only if two devices share the id")
    status.add_argument("--status", required=True, choices=["accepted", "attended", "rejected"])
    status.add_argument("--reason", default="")
    status.add_argument("--by", default="admin", help="who is making the change")

    arrivals = sub.add_parser(
        "arrivals", help="print the append-only record of what arrived from which device"
    )
    _add_db(arrivals)
    arrivals.add_argument("--device", default=None, help="only this device's arrivals")
    arrivals.add_argument(
        "--limit", type=_positive, default=1000, help="the newest N (default 1000)"
    )
    return parser


def _positive(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 64:
        raise argparse.ArgumentTypeError("between 1 and 64")
    return number


# How ``serve --workers N`` hands its settings to the worker processes uvicorn spawns: they
# build the app from these (``worker_app``). The same user's environment, never a command line.
DB_ENV = "DUTY_CENTRAL_DB"
LOG_LEVEL_ENV = "DUTY_CENTRAL_LOG_LEVEL"


def worker_app() -> object:
    """The app in one of ``serve --workers N``'s processes (uvicorn calls this, factory=True).

    The parent has already migrated the database; make_engine here finds it at head."""
    import os

    from central.app import create_app

    _log_to_stderr(os.environ.get(LOG_LEVEL_ENV, "info"))
    return create_app(os.environ[DB_ENV])


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _log_to_stderr(level: str) -> None:
    """Central's own log lines (failed authentication, failed requests) beside uvicorn's.

    They say what happened and from where, never a body, a token or a row.
    """
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s central: %(message)s"))
    log = logging.getLogger("central")
    log.handlers[:] = [handler]
    numeric = logging.getLevelName(level.upper())
    log.setLevel(numeric if isinstance(numeric, int) else logging.DEBUG)  # uvicorn's "trace"
    log.propagate = False


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from central.app import create_app

    if not _is_loopback(args.host) and not args.ssl_certfile:
        print(
            f"duty-central: listening on {args.host} without TLS: put a TLS proxy in front; "
            "device tokens and referrals must never cross a network in clear",
            file=sys.stderr,
        )
    db = args.db or default_db_url()
    if args.workers == 1:
        app: object = create_app(db)
        _log_to_stderr(args.log_level)
        factory = False
    else:
        import os

        from central.db import make_engine

        # Secure and migrate once, here, before any worker opens the database (and refuse to
        # start in this process, with the reason, if it cannot be made safe).
        make_engine(db).dispose()
        os.environ[DB_ENV] = db
        os.environ[LOG_LEVEL_ENV] = args.log_level
        _log_to_stderr(args.log_level)
        app, factory = "central.cli:worker_app", True
    uvicorn.run(
        app,  # type: ignore[arg-type]
        factory=factory,
        workers=args.workers if args.workers > 1 else None,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=not args.no_access_log,
        ssl_certfile=args.ssl_certfile,
        ssl_keyfile=args.ssl_keyfile,
        # Short keep-alive, bounded concurrency: a laptop fleet, not the internet.
        timeout_keep_alive=15,
        limit_concurrency=200,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    from central.db import UnsafeDatabase

    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except UnsafeDatabase as exc:
        print(f"duty-central: refusing to start: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return _serve(args)

    from central import service
    from central.db import make_engine

    engine = make_engine(args.db or default_db_url())
    try:
        if args.command == "issue-token":
            token = service.issue_token(engine, args.device)
            print(token)
            print(
                f"token for device {args.device!r}: shown once, only its hash is kept",
                file=sys.stderr,
            )
        elif args.command == "revoke-token":
            service.revoke_device(engine, args.device)
        elif args.command == "load-providers":
            from records.caseformat import CaseFormatError, load_providers

            try:
                providers = load_providers(args.file.read_bytes())
            except OSError as exc:
                print(f"duty-central: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
                return 2
            except CaseFormatError as exc:
                for problem in exc.problems:
                    print(f"duty-central: {args.file}: {problem}", file=sys.stderr)
                return 2
            count = service.replace_providers(engine, providers)
            print(f"loaded {count} providers", file=sys.stderr)
        elif args.command == "arrivals":
            from records.text import shown

            # Tab-separated, oldest first: received at, device, referral, revision, outcome,
            # code, queued by, queued at. Device and officer names are shown escaped.
            for line in service.arrivals(engine, device=args.device, limit=args.limit):
                print(
                    "\t".join(
                        shown(str(value))
                        for value in (
                            line.received_at,
                            line.device,
                            line.referral_id,
                            line.revision,
                            line.outcome,
                            line.code,
                            line.queued_by,
                            line.queued_at,
                        )
                    )
                )
        elif args.command == "set-status":
            result = service.set_status(
                engine,
                args.referral,
                args.revision,
                args.status,
                reason=args.reason,
                by=args.by,
                device=args.device,
            )
            print(f"{result.referral_id} r{result.revision}: {result.status}")
    except service.CentralError as exc:
        print(f"duty-central: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
