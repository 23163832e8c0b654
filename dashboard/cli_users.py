"""`resultsboard users add|set|list|remove`: who may sign in, with which role and scope
(models.users; every change audited). Only the local operator or an admin (--user) may
change users; `list --json` prints [{email, role, donor, partner}]."""
from __future__ import annotations

import argparse
import json
import sys

from dashboard.cli_common import EXIT_OK, EXIT_REFUSED, Refused, acting_scope, ready_engine
from models.access import ROLES


def _admin(args):
    """The engine and the acting admin's name (Refused for anyone else)."""
    from models.access import can_manage_users, recorded_as, refusal

    engine = ready_engine()
    scope = acting_scope(engine, args)
    if not can_manage_users(scope):
        raise Refused(refusal(scope, "manage users"))
    return engine, recorded_as(scope)


def cmd_users_save(args) -> int:
    from models.users import UserError, save_user

    engine, by = _admin(args)
    try:
        save_user(engine, args.email, args.role, donor=args.donor, partner=args.partner, by=by, create=args.action == "add")
    except UserError as e:
        print(str(e), file=sys.stderr)
        return EXIT_REFUSED
    bound = f" ({args.donor or args.partner})" if (args.donor or args.partner) else ""
    print(f"User {args.email.strip().lower()} saved as {args.role}{bound}.")
    return EXIT_OK


def cmd_users_remove(args) -> int:
    from models.users import UserError, remove_user

    engine, by = _admin(args)
    try:
        remove_user(engine, args.email, by=by)
    except UserError as e:
        print(str(e), file=sys.stderr)
        return EXIT_REFUSED
    print(f"User {args.email.strip().lower()} removed.")
    return EXIT_OK


def cmd_users_list(args) -> int:
    from models.users import list_users

    engine, _ = _admin(args)
    users = list_users(engine)
    if args.json:
        print(json.dumps([{k: u[k] for k in ("email", "role", "donor", "partner")} for u in users], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not users:
        print("No users yet: `resultsboard users add EMAIL --role ROLE` adds one.")
    for u in users:
        bound = u["donor"] or u["partner"] or ""
        print(f"{u['email']:<40} {u['role']:<8} {bound:<8} {'signed in' if u['signed_in'] else 'not yet signed in'}")
    return EXIT_OK


def add_user_commands(sub) -> None:
    p = sub.add_parser("users", help="manage users", description="Manage who may sign in, with which role and scope.")
    usub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    acting = argparse.ArgumentParser(add_help=False)
    acting.add_argument("--user", metavar="EMAIL", help="act as this registered admin; default: the operator, as admin")
    for action, text in (("add", "add a user"), ("set", "change an existing user's role and scope")):
        u = usub.add_parser(action, help=text, parents=[acting],
                            description=f"{text[0].upper()}{text[1:]}; donor and partner roles are bound to one code.")
        u.add_argument("email")
        u.add_argument("--role", required=True, choices=list(ROLES))
        u.add_argument("--donor", metavar="CODE", help="the donor a donor user sees")
        u.add_argument("--partner", metavar="CODE", help="the partner a partner user sees and uploads for")
        u.set_defaults(func=cmd_users_save)
    u = usub.add_parser("list", help="list users", parents=[acting], description="List users, their roles and scopes.")
    u.add_argument("--json", action="store_true", help="print JSON: [{email, role, donor, partner}]")
    u.set_defaults(func=cmd_users_list)
    u = usub.add_parser("remove", help="remove a user", parents=[acting], description="Remove a user: no access from their next request.")
    u.add_argument("email")
    u.set_defaults(func=cmd_users_remove)
