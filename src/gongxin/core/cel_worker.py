"""The worker process of ``core.cel.rule_evaluate_many``: evaluate one rule on many facts values.

Reads ``{"expression", "names", "values", "seconds"}`` (JSON) on stdin and writes one JSON list of booleans
(a failing evaluation is false) on stdout. Exits with ``WORKER_OVER_BUDGET`` as soon as the evaluations have
taken ``seconds``; the parent kills it when a single evaluation runs past that (the library cannot be
interrupted from inside). Needs no database and no Django project: only the rule and the values.
"""

from __future__ import annotations

import json
import sys
import time


def main() -> int:
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=False)  # error messages are formatted, never shown: no catalogs needed

    from gongxin.core.cel import WORKER_OVER_BUDGET, rule_compile, rule_evaluate
    from gongxin.core.errors import RuleError

    job = json.load(sys.stdin)
    deadline = time.monotonic() + float(job["seconds"])
    rule = rule_compile(job["expression"], names=job["names"])
    results = []
    for facts in job["values"]:
        try:
            results.append(rule_evaluate(rule, facts or {}))
        except RuleError:
            results.append(False)
        if time.monotonic() > deadline:
            return WORKER_OVER_BUDGET
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
