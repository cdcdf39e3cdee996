"""Command line: python -m service <command>.

serve                       run the web service (uvicorn)
migrate                     apply database migrations
forms check [PATH…]         check form files (default: forms/)
forms sync                  store the forms in the database
forms import FILE [-o OUT]  a YAML file or a scoring-table workbook → checked YAML
forms export FORM -o FILE   a form (id or file) as a scoring-table workbook
forms template -o FILE      the workbook layout with an example and 填写说明
seed                        demo data for an empty database
users create|list|disable   accounts: the first admin, scripts
score FORM ANSWERS          score a JSON file of answers; FORM is an id or a file
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import msgspec

from service.settings import Settings, SettingsError

EXIT_INVALID = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_INVALID
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    return args.handler(args, settings)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m service", description="Ankang (安康)")
    commands = parser.add_subparsers(metavar="command")

    serve = commands.add_parser("serve", help="run the web service")
    serve.add_argument("--host", help="address to listen on (default: $HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: $PORT or 8000)")
    serve.add_argument("--workers", type=int, help="worker processes (default: $WORKERS or 1)")
    serve.add_argument(
        "--reload", action="store_true", help="restart on code changes (development)"
    )
    serve.set_defaults(handler=_serve)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(handler=_migrate)

    forms = commands.add_parser("forms", help="form files").add_subparsers(metavar="action")
    check = forms.add_parser("check", help="check form files and print every error")
    check.add_argument("paths", nargs="*", type=Path, help="files or folders (default: forms/)")
    check.set_defaults(handler=_forms_check)
    sync = forms.add_parser("sync", help="store the forms in the database by content hash")
    sync.set_defaults(handler=_forms_sync)
    importing = forms.add_parser(
        "import", help="read a form (YAML or a scoring-table workbook) and write it as YAML"
    )
    importing.add_argument("file", type=Path)
    importing.add_argument("-o", "--output", type=Path, help="write the YAML here (default: print)")
    importing.set_defaults(handler=_forms_import)
    export = forms.add_parser("export", help="write a form as a scoring-table workbook")
    export.add_argument("form", help="a form id (from forms/, newest version) or a form file")
    export.add_argument("-o", "--output", type=Path, required=True, help="the .xlsx to write")
    export.set_defaults(handler=_forms_export)
    template = forms.add_parser("template", help="write the empty workbook layout with an example")
    template.add_argument("-o", "--output", type=Path, required=True, help="the .xlsx to write")
    template.set_defaults(handler=_forms_template)

    seed = commands.add_parser("seed", help="add the demo data to an empty database")
    seed.set_defaults(handler=_seed)

    users = commands.add_parser("users", help="accounts").add_subparsers(metavar="action")
    create = users.add_parser("create", help="create an account (prints a password if none given)")
    create.add_argument("--username", required=True)
    create.add_argument("--name", default="", help="the person's name (显示名)")
    create.add_argument(
        "--role",
        required=True,
        action="append",
        choices=["admin", "supervisor", "enterprise", "judge"],
        help="repeat for several roles",
    )
    create.add_argument("--password", help="default: a generated one, printed once")
    create.add_argument("--town", help="an admin's town (default: every town)")
    create.add_argument("--enterprise", help="an enterprise account's unified social credit code")
    create.set_defaults(handler=_users_create)
    listing = users.add_parser("list", help="list accounts and their roles")
    listing.set_defaults(handler=_users_list)
    disable = users.add_parser("disable", help="disable an account and end its sessions")
    disable.add_argument("username")
    disable.set_defaults(handler=_users_disable)

    score = commands.add_parser("score", help="score answers and print the breakdown as JSON")
    score.add_argument("form", help="a form id (from forms/) or a form file")
    score.add_argument("answers", type=Path, help="a JSON file of answers keyed by item id")
    score.add_argument("--version", type=int, help="a version other than the newest in forms/")
    score.set_defaults(handler=_score)
    return parser


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from service.forms.loader import load_forms
    from service.web.timeouts import HeadersDeadlineProtocol

    _, errors = load_forms([settings.forms_dir])
    if errors:
        _print_form_errors(errors)
        print("refusing to start: fix the form files above", file=sys.stderr)
        return 1
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=None if args.reload else (args.workers or settings.workers),
        reload=args.reload,
        proxy_headers=True,
        log_level=settings.log_level,
        access_log=True,
        # Slow clients: a deadline for the headers (the body's is a middleware), and
        # idle connections kept longer than a proxy in front keeps them (README).
        http=HeadersDeadlineProtocol,
        timeout_keep_alive=settings.keep_alive_seconds,
    )
    return 0


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from service.db.migrate import apply_migrations

    asyncio.run(apply_migrations(settings))
    return 0


def _forms_check(args: argparse.Namespace, settings: Settings) -> int:
    from service.forms.loader import load_forms
    from service.forms.model import text

    forms, errors = load_forms(args.paths or [settings.forms_dir])
    if errors:
        _print_form_errors(errors)
        return 1
    for form in forms:
        d = form.definition
        points = f", {d.scoring.max:g} points" if d.scoring else ""
        size = f"{len(d.items())} items{points}"
        print(f"ok  {d.id} v{d.version}  {d.kind.value}, {size}  {text(d.title)}")
    return 0


def _forms_sync(args: argparse.Namespace, settings: Settings) -> int:
    from service.db.migrate import opened_database
    from service.forms.catalog import FormVersionInUse, sync_forms
    from service.forms.loader import load_forms

    forms, errors = load_forms([settings.forms_dir])
    if errors:
        _print_form_errors(errors)
        return 1

    async def run() -> str:
        async with opened_database(settings):
            return (await sync_forms(forms)).summary()

    try:
        print(asyncio.run(run()))
    except FormVersionInUse as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def _forms_import(args: argparse.Namespace, settings: Settings) -> int:
    from service.forms.imported import WorkbookInvalid
    from service.forms.imports import import_file
    from service.forms.loader import FormFileInvalid

    try:
        imported = import_file(args.file.read_bytes(), str(args.file))
    except OSError as exc:
        print(f"cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_INVALID
    except WorkbookInvalid as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        print(f"{len(exc.errors)} error(s) in {args.file}", file=sys.stderr)
        return 1
    except FormFileInvalid as exc:
        _print_form_errors(exc.errors)
        return 1
    for warning in imported.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.output is None:
        sys.stdout.write(imported.yaml_text)
        return 0
    args.output.write_text(imported.yaml_text, encoding="utf-8")
    d = imported.loaded.definition
    print(f"wrote {args.output}: {d.id} v{d.version}, {len(d.items())} items")
    return 0


def _forms_export(args: argparse.Namespace, settings: Settings) -> int:
    from service.forms.spreadsheet import write_workbook

    definition = _definition(args.form, None, settings)
    if definition is None:
        return EXIT_INVALID
    args.output.write_bytes(write_workbook(definition))
    print(f"wrote {args.output}: {definition.id} v{definition.version}")
    return 0


def _forms_template(args: argparse.Namespace, settings: Settings) -> int:
    from service.forms.spreadsheet import template_workbook

    args.output.write_bytes(template_workbook())
    print(f"wrote {args.output}")
    return 0


def _seed(args: argparse.Namespace, settings: Settings) -> int:
    from service.db.migrate import opened_database
    from service.seed import seed_demo_data

    async def run() -> list[str]:
        async with opened_database(settings):
            return await seed_demo_data()

    for line in asyncio.run(run()):
        print(line)
    return 0


def _users_create(args: argparse.Namespace, settings: Settings) -> int:
    from service.accounts import users
    from service.accounts.passwords import password_problem, temporary_password
    from service.accounts.principal import Role
    from service.db.migrate import opened_database
    from service.orgs.tables import Enterprise, Town

    password = args.password or temporary_password()
    problem = password_problem(password, args.username) if args.password else None
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_INVALID

    async def run() -> str | None:
        async with opened_database(settings):
            town_id = enterprise_id = None
            if args.town:
                town = await Town.select(Town.id).where(Town.name == args.town).first()
                if town is None:
                    return f"no town named {args.town}"
                town_id = town["id"]
            if args.enterprise:
                found = (
                    await Enterprise.select(Enterprise.id)
                    .where(Enterprise.credit_code == args.enterprise.strip().upper())
                    .first()
                )
                if found is None:
                    return f"no enterprise with credit code {args.enterprise}"
                enterprise_id = found["id"]
            grants = [
                (
                    Role(role),
                    town_id if role == "admin" else None,
                    enterprise_id if role == "enterprise" else None,
                )
                for role in args.role
            ]
            try:
                await users.create_user(args.username, args.name, password, grants)
            except users.UserExists:
                return f"user {args.username} exists"
            return None

    error = asyncio.run(run())
    if error:
        print(error, file=sys.stderr)
        return 1
    print(f"created {args.username.lower()} ({', '.join(args.role)})")
    if not args.password:
        print(f"password: {password}")
    return 0


def _users_list(args: argparse.Namespace, settings: Settings) -> int:
    from service.accounts import users
    from service.db.migrate import opened_database

    async def run() -> list[dict]:
        async with opened_database(settings):
            return await users.list_users()

    for user in asyncio.run(run()):
        roles = ",".join(sorted({g["role"] for g in user["grants"]})) or "-"
        state = "" if user["is_active"] else "  (disabled)"
        print(f"{user['username']:<20} {roles:<28} {user['display_name']}{state}")
    return 0


def _users_disable(args: argparse.Namespace, settings: Settings) -> int:
    from service.accounts import audit, sessions, users
    from service.db.migrate import opened_database

    async def run() -> bool:
        async with opened_database(settings):
            user = await users.find_by_username(args.username)
            if user is None:
                return False
            await users.set_active(user["id"], False)
            await sessions.end_all_sessions(user["id"])
            await audit.record("user_disabled", subject=user["username"], ip="cli")
            return True

    if not asyncio.run(run()):
        print(f"no user {args.username}", file=sys.stderr)
        return 1
    print(f"disabled {args.username}")
    return 0


def _definition(form: str, version: int | None, settings: Settings):  # -> FormDefinition | None
    """A form file, or a form id from the forms folder (the newest version unless told);
    None after printing why there is none."""
    from service.forms.loader import FormFileInvalid, load_form_file, load_forms

    try:
        if Path(form).is_file():
            return load_form_file(Path(form)).definition
        forms, load_errors = load_forms([settings.forms_dir])
    except FormFileInvalid as exc:
        _print_form_errors(exc.errors)
        return None
    matching = [
        f.definition
        for f in forms
        if f.definition.id == form and (version is None or f.definition.version == version)
    ]
    if not matching:
        if load_errors:  # perhaps the very file asked for is broken
            _print_form_errors(load_errors)
        print(f"no valid form `{form}` in {settings.forms_dir}", file=sys.stderr)
        return None
    return max(matching, key=lambda d: d.version)


def _score(args: argparse.Namespace, settings: Settings) -> int:
    from service.forms.answers import InvalidAnswers
    from service.scoring.engine import score

    definition = _definition(args.form, args.version, settings)
    if definition is None:
        return EXIT_INVALID
    try:
        answers = json.loads(args.answers.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"cannot read answers from {args.answers}: {exc}", file=sys.stderr)
        return EXIT_INVALID
    try:
        breakdown = score(definition, answers)
    except InvalidAnswers as exc:
        for error in exc.errors:
            print(
                f"{args.answers}: {error.item or '(answers)'}: {error.message} [{error.code}]",
                file=sys.stderr,
            )
        return EXIT_INVALID
    sys.stdout.write(msgspec.json.format(msgspec.json.encode(breakdown), indent=2).decode())
    sys.stdout.write("\n")
    return 0


def _print_form_errors(errors: list) -> None:
    for error in errors:
        print(error, file=sys.stderr)
    files = len({error.file for error in errors})
    print(f"{len(errors)} error(s) in {files} file(s)", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
