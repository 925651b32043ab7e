"""Benchmark: the pages of decision 045 on an existing demo city — home, the public profile of the demo firm and of
the subject with the most records, a deep page of its biggest group, and ``/me/`` of the demo firm's agent and of
the demo person — median time and size of each.

    gongxin demo up --no-serve                       # seeds ./var once (or GONGXIN_DATA_DIR=...)
    gongxin outbox dispatch                          # the summaries and figures (db_worker does it when serving)
    .venv/bin/python bench/profiles.py --runs 7      # reads the platform of GONGXIN_DATA_DIR / DATABASE_URL

In-process through Django's test client (no server, no network): what the view, the queries and the templates
cost. Reads only; the sign-ins write a session each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="loads per page after one warm-up (median shown)")
    parser.add_argument("paths", nargs="*", help="more public paths to load")
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongxin.settings")
    import django

    django.setup()
    from django.db.models import Count
    from django.test import Client

    from gongxin.access.grouped import PROFILE_GROUPS
    from gongxin.accounts.models import User
    from gongxin.records.models import Record
    from gongxin.subjects.models import Subject

    agent = User.objects.get(username="demo-org")
    person = User.objects.get(username="demo-person")
    firm = Subject.objects.select_related("organization").get(pk=agent.subject_id)
    biggest = (Record.objects.filter(subject__kind="organization").values("subject_id").annotate(n=Count("id"))
               .order_by("-n").first())
    assert biggest is not None, "no records: seed a demo city first"
    big = Subject.objects.select_related("organization").get(pk=biggest["subject_id"])
    kinds = dict(Record.objects.filter(subject=big).values_list("catalog_item__record_kind").annotate(n=Count("id")))
    group = max(PROFILE_GROUPS, key=lambda g: sum(kinds.get(k, 0) for k in g.kinds) if g.kinds else -1)
    print(f"demo firm {firm.organization.uscc}: {Record.objects.filter(subject=firm).count()} records; "
          f"biggest organization {big.organization.uscc}: {biggest['n']} records, its biggest group {group.key}")
    pages: list[tuple[str, User | None, str]] = [
        ("home", None, "/"),
        ("public profile of the demo firm", None, f"/org/{firm.organization.uscc}/"),
        (f"public profile of the biggest organization ({biggest['n']})", None, f"/org/{big.organization.uscc}/"),
        (f"its last page of {group.key}", None, f"/org/{big.organization.uscc}/?group={group.key}&cursor=last"),
        ("/me/ of the demo firm (its agent)", agent, "/me/"),
        ("/me/ of the demo person", person, "/me/"),
        *((path, None, path) for path in args.paths),
    ]
    for label, user, url in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        print(f"{label:<52} {statistics.median(times):8.1f} ms {len(response.content) / 1024:9.1f} KiB")


if __name__ == "__main__":
    main()
