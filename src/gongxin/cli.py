"""The ``gongxin`` console command: Django's management commands under the platform's name.

``gongxin demo up``, ``gongxin demo seed``, ``gongxin serve``, ``gongxin outbox dispatch``,
``gongxin migrate`` ... — every operator job is a management command of the app that owns it.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongxin.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["gongxin", *args])


if __name__ == "__main__":
    main()
