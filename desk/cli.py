"""The ``desk`` command: the GUI by default, admin sub-commands for IT and the clinic admin.

Every failure a person can cause prints one line on stderr and exits non-zero; nothing
is half-written (each sub-command's change is one transaction).

Who acts: on a SQLite file the command line is the machine's operator (whoever may read
the file may run it), audited as ``cli``. On a shared PostgreSQL database the admin
commands need an admin's own sign-in: ``--as NAME`` with the password as the first line
on standard input (a new password, where the command takes one, is the second line),
and are audited as that person.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from desk import __version__

if TYPE_CHECKING:
    from desk.services.context import Desk

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
MAX_DEMO_PATIENTS = 100_000


class CliError(Exception):
    """A one-line failure for stderr."""


# The in-use lock of the SQLite file a command opened, held until the command ends so that
# 'desk restore' cannot pull the file from under a writer (a 'desk demo' for example).
_held_locks = ExitStack()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse prints the whole usage block; staff and scripts get one line.
        self.exit(EXIT_USAGE, f"desk: {message} (see 'desk --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="desk", description="Infusion Desk: front desk of an infusion clinic.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument(
        "--verbose", action="store_true", help="with --version: platform, settings files, folders"
    )
    parser.add_argument("--db", metavar="URL", help="database URL (default: the clinic's setting)")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation (and the clinic's database, if one is set) and exit",
    )
    # --db is accepted after any sub-command too: `desk user list --db URL`.
    db_option = _Parser(add_help=False)
    db_option.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help="database URL")
    as_option = _Parser(add_help=False)
    as_option.add_argument(
        "--as",
        dest="as_user",
        metavar="USER",
        help="act as this admin (needed on PostgreSQL); the password is the first stdin line",
    )
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, parents=[db_option])

    _add_connect(sub)
    command("migrate", "upgrade the clinic's database to this version (update every desk)")

    init = command("init", "create the database and the clinic with its first admin")
    init.add_argument("--clinic-name", required=True)
    init.add_argument("--admin", required=True, metavar="USER")
    init.add_argument("--admin-name", default="", metavar="FULL_NAME")
    init.add_argument("--password-stdin", action="store_true", required=True)
    init.add_argument(
        "--country", default="US", metavar="CODE",
        help="sets date order, 12/24-hour clock and phone region (e.g. US, GB, DE)",
    )
    init.add_argument(
        "--workstation-role",
        metavar="NAME",
        help="PostgreSQL: name of the workstations' login to create (default desk_ws_<db>)",
    )

    user = command("user", "manage staff accounts")
    user_sub = user.add_subparsers(dest="user_command", parser_class=_Parser, metavar="ACTION")
    user_sub.required = True
    admin = [db_option, as_option]
    add = user_sub.add_parser("add", help="add a staff member", parents=admin)
    add.add_argument("username")
    add.add_argument(
        "--role", action="append", required=True, help="receptionist, nurse, clinician, admin"
    )
    add.add_argument("--name", default="", metavar="FULL_NAME")
    add.add_argument("--password-stdin", action="store_true", required=True)
    user_sub.add_parser("list", help="list staff accounts", parents=[db_option])
    for action, help_text in (
        ("disable", "disable an account"),
        ("enable", "enable an account"),
        ("unlock", "end a sign-in lockout now"),
    ):
        user_sub.add_parser(action, help=help_text, parents=admin).add_argument("username")
    roles = user_sub.add_parser("roles", help="set a staff member's roles", parents=admin)
    roles.add_argument("username")
    roles.add_argument("--role", action="append", required=True, help="receptionist, nurse, admin")
    reset = user_sub.add_parser(
        "reset-password", help="set a new password (clears a lockout)", parents=admin
    )
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true", required=True)

    demo = sub.add_parser(
        "demo",
        help="load a demo clinic (staff, patients, visits) into a clinic with no patients",
        parents=[db_option, as_option],
    )
    demo.add_argument("--patients", type=int, default=200)
    demo.add_argument("--seed", type=int, default=1)

    audit = command("audit", "the audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", parser_class=_Parser, metavar="ACTION")
    audit_sub.required = True
    audit_sub.add_parser("verify", help="check the hash chain", parents=[db_option])

    verify = command(
        "verify", "check storage, schema, audit trail and every signed consent; exit 0 if sound"
    )
    verify.add_argument(
        "--sidecar",
        action="append",
        type=Path,
        default=[],
        metavar="BACKUP.sha256",
        help="a backup's checksum file: the audit head it carries must be in the chain",
    )
    verify.add_argument(
        "--witness",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="another workstation's witness file (this one's is always used)",
    )

    command("backup", "copy the database to a file").add_argument("dest", type=Path)
    command("restore", "replace the database with a backup").add_argument("src", type=Path)

    settings = command(
        "settings", "the clinic's policy settings (idle lock, lockout, vitals limits…)"
    )
    settings_sub = settings.add_subparsers(
        dest="settings_command", parser_class=_Parser, metavar="ACTION"
    )
    settings_sub.required = True
    settings_sub.add_parser("show", help="print every setting and its value", parents=[db_option])
    set_one = settings_sub.add_parser(
        "set",
        help="change one setting (checked against its allowed range)",
        parents=[db_option, as_option],
    )
    set_one.add_argument("key")
    set_one.add_argument("value")

    consent = command("consent", "consent templates and signed consent files")
    consent_sub = consent.add_subparsers(
        dest="consent_command", parser_class=_Parser, metavar="ACTION"
    )
    consent_sub.required = True
    preview = consent_sub.add_parser(
        "preview", help="render a template for a sample patient", parents=[db_option]
    )
    preview.add_argument("template", type=Path)
    preview.add_argument("--out", type=Path, required=True)
    preview.add_argument("--patient-name", default="Sample Patient")
    consent_verify = consent_sub.add_parser(
        "verify", help="is this file a stored signed consent?", parents=[db_option]
    )
    consent_verify.add_argument("file", type=Path)
    return parser


def _add_connect(sub: Any) -> None:
    # From config, not the workstation service: building the parser must stay import-light
    # (`desk --version` and the GUI's cold start run through it).
    from desk.config import PASSWORD_MODES, SSL_MODES

    text = (
        "connect this workstation to the clinic's PostgreSQL server: test it, print the "
        "clinic's name, then save (the password goes to the OS keyring, never the file)"
    )
    connect = sub.add_parser("connect", help=text, description=text)
    connect.add_argument("--host", required=True)
    connect.add_argument("--port", type=int, default=5432)
    connect.add_argument("--database", required=True)
    connect.add_argument("--user", required=True)
    connect.add_argument("--sslmode", choices=SSL_MODES, default="prefer")
    connect.add_argument("--ca-file", default="", metavar="PATH", help="for verify-full")
    connect.add_argument("--workstation-name", default="", metavar="NAME")
    connect.add_argument(
        "--password-mode",
        choices=PASSWORD_MODES,
        default="keyring",
        help="keyring: kept in this account's OS keyring; ask: typed at every start; "
        "none: the server needs no password",
    )
    connect.add_argument(
        "--password-stdin", action="store_true", help="read the server password from stdin"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logged = _command_name(args) != "version" and _start_log()
    code = _run(args)
    if logged:
        import logging

        # One line per command, which one and how it ended; never its arguments.
        logging.getLogger("desk.cli").info("command %s: exit %d", _command_name(args), code)
    return code


def _start_log() -> bool:
    from desk.logs import setup_logging

    try:
        setup_logging()
    except OSError:  # no writable data folder: the command itself still runs
        return False
    return True


def _run(args: argparse.Namespace) -> int:
    try:
        with _held_locks:
            return _dispatch(args)
    except KeyboardInterrupt:
        print("desk: interrupted; nothing was saved by the interrupted step", file=sys.stderr)
        return 130
    except CliError as exc:
        return _fail(str(exc))
    except Exception as exc:  # the last line of defence: one line, no traceback
        from desk.domain.errors import DeskError

        if isinstance(exc, DeskError):
            return _fail(str(exc))
        return _fail(_unexpected(exc))


def _command_name(args: argparse.Namespace) -> str:
    """The sub-command path ("user add"), never its arguments (they may name people)."""
    if args.version:
        return "version"
    if args.self_test:
        return "self-test"
    if args.command is None:
        return "gui"
    action = getattr(args, f"{args.command}_command", None)
    return f"{args.command} {action}" if action else str(args.command)


def _fail(message: str) -> int:
    # Not logged: a message may quote what was typed (a file or person's name). The log
    # gets the command's exit status, and the services log connection failures themselves.
    print(f"desk: {message}", file=sys.stderr)
    return EXIT_FAIL


def _unexpected(exc: Exception) -> str:
    import logging
    import traceback

    from desk.logs import setup_logging

    path = setup_logging()
    # The type and the frames only: an exception's message may quote patient records.
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logging.getLogger("desk.cli").error("unexpected %s\n%s", type(exc).__name__, frames)
    return f"unexpected error ({type(exc).__name__}); see {path}"


def _dispatch(args: argparse.Namespace) -> int:
    if args.version:
        return _cmd_version(args)
    if args.self_test:
        from desk.selftest import run_self_test

        return run_self_test(clinic_url=_configured_url(args))
    handlers: dict[str | None, Callable[[argparse.Namespace], int]] = {
        None: _cmd_gui,
        "connect": _cmd_connect,
        "migrate": _cmd_migrate,
        "init": _cmd_init,
        "user": _cmd_user,
        "demo": _cmd_demo,
        "audit": _cmd_audit,
        "verify": _cmd_verify,
        "backup": _cmd_backup,
        "restore": _cmd_restore,
        "consent": _cmd_consent,
        "settings": _cmd_settings,
    }
    return handlers[args.command](args)


def _url(args: argparse.Namespace) -> str:
    from desk.config import resolve_database_url

    flag = getattr(args, "db", None)
    if flag is not None and not flag.strip():
        raise CliError("--db is empty; give a database URL or leave the option out")
    return resolve_database_url(flag)


def _check_folder(url: str) -> None:
    from desk.db.inuse import sqlite_file_from_url

    db_file = sqlite_file_from_url(url)
    if db_file is not None:
        from desk.db.engine import check_sqlite_folder

        check_sqlite_folder(db_file)


def _hold_in_use_lock(url: str) -> None:
    from desk.db.inuse import in_use_lock, sqlite_file_from_url

    _check_folder(url)
    db_file = sqlite_file_from_url(url)
    if db_file is not None:
        _held_locks.enter_context(in_use_lock(db_file, exclusive=False))


def _configured_url(args: argparse.Namespace) -> str | None:
    """--db, DESK_DATABASE_URL or the settings' server; None when only the default file."""
    from desk.config import default_database_url

    url = _url(args)
    return None if url == default_database_url() else url


def _desk(args: argparse.Namespace, *, need_clinic: bool = True) -> Desk:
    from desk.config import workstation_name
    from desk.services.context import CLI_ACTOR, Desk
    from desk.services.database import database_exists, is_initialised, open_database
    from desk.services.witness import witness_for

    url = _url(args)
    _check_folder(url)  # a mistyped folder is named as such
    if need_clinic and not database_exists(url):
        # Said before anything is created: a typo or a missing --db leaves no empty file.
        raise CliError(
            "no clinic database here yet; run 'desk connect' to use the clinic's server, "
            "'desk init' to create a new clinic, or pass --db URL"
        )
    _hold_in_use_lock(url)
    engine = open_database(url)
    if need_clinic and not is_initialised(engine):
        raise CliError("this database has no clinic yet; run 'desk init' first")
    return Desk(
        engine, workstation=workstation_name(), actor=CLI_ACTOR, witness=witness_for(engine.url)
    )


def _admin_desk(args: argparse.Namespace, *, unlocking: str = "") -> Desk:
    """The desk an admin command acts through: the operator on SQLite, a signed-in admin
    (``--as``) on PostgreSQL. ``unlocking``: the account being unlocked, whose own right
    password gets through its lockout."""
    from desk.domain.roles import Role
    from desk.services.auth import sign_in

    desk = _desk(args)
    name = getattr(args, "as_user", None)
    if name is None:
        if desk.engine.dialect.name == "postgresql":
            raise CliError(
                "on a shared PostgreSQL database this command needs an admin's sign-in: "
                "add --as YOUR_USER_NAME and give your password on standard input"
            )
        return desk
    password = _read_password()
    himself = unlocking.strip().lower() == name.strip().lower()
    actor = sign_in(desk.as_actor(None), name, password, ignore_lockout=himself)
    if not actor.has(Role.ADMIN):
        raise CliError(f"{actor.username} is not an admin; only an admin may do this")
    return desk.as_actor(actor)


def _read_password() -> str:
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    if not password:
        raise CliError("no password on standard input")
    return password


def _cmd_version(args: argparse.Namespace) -> int:
    print(f"Infusion Desk {__version__}")
    if args.verbose:
        from desk.diagnostics import describe_installation

        for line in describe_installation(_url(args)):
            print(line)
    return EXIT_OK


def _cmd_connect(args: argparse.Namespace) -> int:
    from desk.config import workstation_name
    from desk.services.workstation import ConnectionDetails, connect_and_save

    password = ""
    if args.password_mode != "none":
        if not args.password_stdin:
            raise CliError(
                f"--password-mode {args.password_mode} needs the server password: pipe it in "
                "with --password-stdin (never on the command line)"
            )
        password = _read_password()
    details = ConnectionDetails(
        host=args.host,
        port=args.port,
        database=args.database,
        user=args.user,
        password=password,
        sslmode=args.sslmode,
        ca_file=args.ca_file,
    )
    found, saved = connect_and_save(
        details, args.workstation_name or workstation_name(), args.password_mode
    )
    print(f"Connected to the clinic “{found.clinic_name}” at {found.location}.")
    print(f"Saved in {saved.config_file} (password: {saved.password_storage}).")
    if not found.schema_current:
        print("Its database is older than this version: run 'desk migrate' when IT is ready.")
    return EXIT_OK


def _cmd_migrate(args: argparse.Namespace) -> int:
    from desk.db import migrate
    from desk.services.database import database_exists, open_database

    url = _url(args)
    if not database_exists(url):
        raise CliError("no clinic database here yet; pass --db URL or run 'desk connect'")
    _hold_in_use_lock(url)  # a restore must not pull the file away during the upgrade
    engine = open_database(url, upgrade=False)
    try:
        before = migrate.current_revision(engine)
    finally:
        engine.dispose()
    open_database(url, confirmed_upgrade=True).dispose()
    head = migrate.head_revision()
    if before == head:
        print(f"The database is already at this version's schema ({head}).")
    else:
        print(f"Upgraded the database from {before or 'empty'} to {head} for {__version__}.")
        print(f"Every workstation now needs Infusion Desk {__version__}.")
    return EXIT_OK


def _cmd_gui(args: argparse.Namespace) -> int:
    from desk.diagnostics import no_display_reason

    reason = no_display_reason()
    if reason is not None:
        import logging

        logging.getLogger("desk.cli").error("no window could be opened: %s", reason)
        raise CliError(reason)
    from desk.ui.app import run

    url = _url(args)
    # Held while the desk runs so that 'desk restore' refuses to pull the file away.
    _hold_in_use_lock(url)
    return run(url)


def _cmd_init(args: argparse.Namespace) -> int:
    from desk.domain.locale import for_country
    from desk.domain.policy import ClinicPolicy
    from desk.services import setup
    from desk.services.database import create_workstation_login, is_initialised

    policy = for_country(ClinicPolicy(), args.country)  # before the password: fail fast
    password = _read_password()
    desk = _desk(args, need_clinic=False)
    if is_initialised(desk.engine):
        raise CliError("this database already has a clinic")
    setup.initialise(
        desk,
        clinic_name=args.clinic_name,
        admin_username=args.admin,
        admin_full_name=args.admin_name or args.admin,
        admin_password=password,
        policy=policy,
    )
    print(f"Created clinic '{args.clinic_name.strip()}' with admin '{args.admin.strip().lower()}'.")
    if desk.engine.dialect.name == "postgresql":
        role, role_password = create_workstation_login(desk.engine, args.workstation_role)
        print(
            f"Workstation login: user {role}, password {role_password}\n"
            "Enter it in each desk's connect dialog. It cannot change the schema or the audit "
            "trail; keep the owner login you used here for upgrades only."
        )
    return EXIT_OK


def _cmd_user(args: argparse.Namespace) -> int:
    from desk.domain.accounts import parse_roles
    from desk.services import staff

    if args.user_command == "add":
        roles = parse_roles(args.role)  # before reading the password: fail fast
        desk = _admin_desk(args)
        password = _read_password()
        view = staff.add_staff(desk, args.username, args.name or args.username, roles, password)
        print(f"Added {view.username} ({', '.join(sorted(r.value for r in view.roles))}).")
    elif args.user_command == "list":
        for v in staff.list_staff(_desk(args)):
            state = "disabled" if v.disabled else "active"
            role_names = ",".join(sorted(r.value for r in v.roles))
            print(f"{v.username}\t{role_names}\t{state}\t{v.full_name}")
    elif args.user_command in ("disable", "enable"):
        view = staff.set_disabled(
            _admin_desk(args), args.username, args.user_command == "disable"
        )
        print(f"{view.username} is now {'disabled' if view.disabled else 'active'}.")
    elif args.user_command == "unlock":
        view = staff.unlock(_admin_desk(args, unlocking=args.username), args.username)
        print(f"{view.username} may sign in again.")
    elif args.user_command == "roles":
        roles = parse_roles(args.role)
        view = staff.set_roles(_admin_desk(args), args.username, roles, None)
        print(f"{view.username} now has: {', '.join(sorted(r.value for r in view.roles))}.")
    else:
        desk = _admin_desk(args)
        password = _read_password()
        view = staff.reset_password(desk, args.username, password)
        print(f"New password set for {view.username}.")
    return EXIT_OK


def _cmd_settings(args: argparse.Namespace) -> int:
    from desk.services import settings

    if args.settings_command == "show":
        for key, value in settings.setting_values(_desk(args)).items():
            print(f"{key}\t{value}")
    else:
        stored = settings.set_setting(_admin_desk(args), args.key, args.value)
        print(f"{args.key.strip().lower()} is now {stored}.")
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from desk.services.demo import DEMO_PASSWORD, DEMO_STAFF, load_demo

    if not 1 <= args.patients <= MAX_DEMO_PATIENTS:
        raise CliError(f"--patients must be between 1 and {MAX_DEMO_PATIENTS}")
    desk = _admin_desk(args)
    # The bar counts rows written (patients, then their visits): the total is set by
    # load_demo. It appears with the first batch, so a refusal stays one line on stderr.
    with ExitStack() as stack:
        bars: list[tqdm[None]] = []

        def progress(done: int, total: int) -> None:
            if not bars:
                bars.append(
                    stack.enter_context(
                        tqdm(total=total, unit=" rows", desc="Generating", file=sys.stderr)
                    )
                )
            bars[0].total = total
            bars[0].update(done - bars[0].n)

        summary = load_demo(desk, patients=args.patients, seed=args.seed, progress=progress)
    print(
        f"Loaded the demo clinic: {summary.patients:,} patients, {summary.visits:,} visits, "
        f"{summary.series:,} series, {summary.consents:,} signed consents."
    )
    accounts = ", ".join(username for username, _, _ in DEMO_STAFF)
    if summary.staff_added:
        print(f"Staff accounts {accounts} — password: {DEMO_PASSWORD}")
    else:
        print(f"Staff accounts {accounts} were already there; their passwords are unchanged.")
    return EXIT_OK


def _cmd_audit(args: argparse.Namespace) -> int:
    from desk.services import audit

    desk = _desk(args)
    count, problem = audit.verify(desk, _witnessed_heads(desk, args))
    if problem is not None:
        raise CliError(f"audit trail broken at {problem}")
    print(f"Audit trail intact: {count} entries verified.")
    return EXIT_OK


def _cmd_verify(args: argparse.Namespace) -> int:
    from desk.services.integrity import verify_database

    desk = _desk(args, need_clinic=False)
    report = verify_database(desk, _witnessed_heads(desk, args))
    for line in report.passed:
        print(line)
    if report.problem is not None:
        raise CliError(f"verify failed: {report.problem}")
    print("Everything checked is sound.")
    return EXIT_OK


def _witnessed_heads(desk: Desk, args: argparse.Namespace) -> dict[int, str]:
    """The chain heads kept outside the database: this workstation's, and those given."""
    from desk.domain.witness import WitnessUnreadable
    from desk.services.backup import read_sidecar
    from desk.services.witness import WitnessFile

    sources: list[tuple[str, dict[int, str]]] = []
    given = [WitnessFile(p) for p in getattr(args, "witness", [])]
    for witness in [desk.witness, *given]:
        if witness is None:
            continue
        try:
            sources.append((witness.path.name, witness.heads()))
        except WitnessUnreadable:
            raise CliError(f"the witness file {witness.path} has been altered") from None
        except (OSError, UnicodeDecodeError):
            raise CliError(f"the witness file {witness.path} cannot be read") from None
    for path in getattr(args, "sidecar", []):
        head = read_sidecar(path).head
        if head is None:
            raise CliError(f"{path.name} carries no audit head (made by an older desk)")
        sources.append((path.name, dict([head])))
    merged: dict[int, str] = {}
    for name, heads in sources:
        for seq, digest in heads.items():
            if merged.setdefault(seq, digest) != digest:
                raise CliError(
                    f"verify failed: {name} disagrees with another witness at entry {seq}"
                )
    return merged


def _cmd_backup(args: argparse.Namespace) -> int:
    from desk.db.engine import parse_url
    from desk.services.backup import backup

    url = parse_url(_url(args))
    if url.get_backend_name() == "sqlite":
        _desk(args, need_clinic=False)  # migrations first: a backup restores on this version
    checksum = backup(url, args.dest)
    print(f"Backup written to {args.dest} (sha256 {checksum[:16]}…).")
    return EXIT_OK


def _cmd_restore(args: argparse.Namespace) -> int:
    from desk.db.engine import parse_url
    from desk.services.backup import restore
    from desk.services.witness import witness_for

    url = parse_url(_url(args))
    restore(url, args.src, witness_for(url))
    print(f"Database restored from {args.src}.")
    return EXIT_OK


def _cmd_consent(args: argparse.Namespace) -> int:
    from desk.services import consent_files

    if args.consent_command == "preview":
        # argparse turns "--patient-name=--" into an empty list: the name typed was "--".
        name = args.patient_name if isinstance(args.patient_name, str) else "--"
        pages = consent_files.preview(args.template, args.out, name)
        print(f"Preview written to {args.out} ({pages} pages).")
        return EXIT_OK
    match = consent_files.verify_file(_desk(args), args.file)
    if match is None:
        raise CliError(f"{args.file.name} is NOT a stored signed consent (or it was altered)")
    print(match)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
