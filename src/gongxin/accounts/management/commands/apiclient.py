"""``gongxin apiclient create --name N --department CODE --scope S [--scope S] [--rate-limit N]``
registers a business system and prints its key once; ``gongxin apiclient list`` lists clients."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongxin.accounts.choices import Scope
from gongxin.accounts.models import ApiClient, Department
from gongxin.accounts.services import api_client_create
from gongxin.core.errors import GongxinError


class Command(BaseCommand):
    help = "Register and list API clients (business systems)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Register a client and print its key (shown once)")
        create.add_argument("--name", required=True)
        create.add_argument("--department", required=True, help="Department code")
        create.add_argument("--scope", action="append", default=[], choices=Scope.values)
        create.add_argument("--rate-limit", type=int, default=600, help="Requests per minute")
        sub.add_parser("list", help="List clients")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for client in ApiClient.objects.select_related("department").order_by("name"):
                state = "active" if client.is_active else "disabled"
                self.stdout.write(f"{client.key_prefix}  {client.name}  {client.department.code}  "
                                  f"{','.join(client.scopes)}  {client.rate_limit_per_minute}/min  {state}")
            return
        department = Department.objects.filter(code=options["department"]).first()
        if department is None:
            raise CommandError(f"No department with code {options['department']!r}")
        try:
            client, key = api_client_create(name=options["name"], department=department, scopes=options["scope"],
                                            rate_limit_per_minute=options["rate_limit"])
        except GongxinError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"API client {client.name} ({client.key_prefix}) created. Its key, shown only now:")
        self.stdout.write(key)
