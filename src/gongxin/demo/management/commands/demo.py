"""``gongxin demo seed`` generates the synthetic Ningbo; ``gongxin demo up`` runs the whole platform.

``demo seed [--seed N] [--organizations N] [--persons N] [--records N] [--no-progress]`` is safe to
re-run: a second run with the same numbers adds nothing.

``demo up [--host 127.0.0.1] [--port 8000] [--no-serve]`` migrates, seeds when the database has no
subjects yet, ensures one demo login per role, prints the address and the logins, then serves: the
task worker (``gongxin db_worker``, which runs the outbox consumers) and the webhook sender
(``gongxin sharing deliver``, which retries failed webhooks) in subprocesses and Django's development
server in the foreground. Stopping the server (Ctrl-C) stops both.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongxin.demo import services
from gongxin.identity.local import LocalProvider

WORKER_STOP_SECONDS = 10
# What runs beside the web server: the task worker (outbox consumers, first webhook tries) and the webhook
# sender, which also retries failed webhooks after their backoff.
WORKERS: dict[str, list[str]] = {
    "task worker": ["db_worker", "--no-reload"],
    "webhook sender": ["sharing", "deliver"],
}


def _count(value: str) -> int:
    number = int(value.replace("_", "").replace(",", ""))
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "The demo city: `demo seed` generates it, `demo up` runs the platform with it."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{seed,up}")
        seed = sub.add_parser("seed", help="Generate the demo city (safe to re-run).")
        self._seed_arguments(seed)
        up = sub.add_parser("up", help="Migrate, seed if empty, print the logins, and serve.")
        up.add_argument("--host", default="127.0.0.1")
        up.add_argument("--port", type=int, default=8000)
        up.add_argument("--no-serve", action="store_true", help="Prepare and print the logins, then stop.")
        up.add_argument("--identity-port", type=int, default=8001,
                        help="The local unified identity provider's port on loopback (0: none; docs/identity.md).")
        self._seed_arguments(up)

    @staticmethod
    def _seed_arguments(parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=services.DEFAULT_SEED,
                            help="Random seed: the same seed gives the same city (default %(default)s).")
        parser.add_argument("--organizations", type=_count, default=services.DEFAULT_ORGANIZATIONS)
        parser.add_argument("--persons", type=_count, default=services.DEFAULT_PERSONS)
        parser.add_argument("--records", type=_count, default=services.DEFAULT_RECORDS)
        parser.add_argument("--no-progress", action="store_true", help="No progress bars on stderr.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seed":
            self._seed(options)
        else:
            self._up(options)

    def _seed(self, options: dict[str, Any]) -> None:
        report = services.SeedReport()
        started = time.perf_counter()
        counts = services.demo_seed(
            seed=options["seed"], organizations=options["organizations"], persons=options["persons"],
            records=options["records"], progress=not options["no_progress"], report=report,
        )
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Demo city (seed {options['seed']}) in {elapsed:.1f} s: "
            + ", ".join(f"{name} +{value}" for name, value in counts.items())
        )
        for rejection in report.rejections[:5]:
            self.stderr.write(f"rejected {rejection.source_record_id}: {rejection.code} {rejection.details}")
        done = services.demo_services_seed(report=report)
        self.stdout.write(f"Services: {done.scored} subjects scored, {done.facts} facts rows, "
                          f"early-warning scorecard {done.scorecard}")
        for name, key in done.api_keys:
            self.stdout.write(f"API key of {name} (shown once): {key}")
        services.demo_keys_remember(done.api_keys)  # `demo up` prints the business system's key again

    def _up(self, options: dict[str, Any]) -> None:
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        from gongxin.subjects.models import Subject

        if not Subject.objects.exists():
            self.stdout.write("The database has no subjects yet: seeding the demo city …")
            self._seed(options)
        logins = services.demo_accounts_ensure(seed=options["seed"])
        services.demo_objection_ensure(seed=options["seed"])
        public = services.demo_public_address_apply(host=options["host"], port=options["port"])
        services.demo_mode_apply()
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Gongxin is ready at {url}"))
        self.stdout.write(f"Reports and certificates are signed for verification at {public}/verify/…")
        self.stdout.write(f"What to try, step by step, as each of them: {url}demo/")
        self.stdout.write("")
        self.stdout.write(f"{'role':<12} {'username':<20} {'password':<14} for")
        for role, username, password in logins:
            self.stdout.write(f"{role:<12} {username:<20} {password:<14} {services.JOURNEYS.get(role, '')}")
        self.stdout.write("")
        deciders = services.demo_deciders_ensure(seed=options["seed"])
        if deciders:
            self.stdout.write("Source-unit operators: each decides the objections forwarded to its unit and the repair "
                              "applications of its records")
            for decider in deciders:
                held = ", ".join(f"{label} {n} record{'' if n == 1 else 's'}" for label, n in (
                    ("demo firm", decider.firm_records), ("demo person", decider.person_records)) if n)
                self.stdout.write(f"{'operator':<12} {decider.username:<20} {services.DEMO_PASSWORD:<14} "
                                  f"{decider.unit}: {held}")
            self.stdout.write("")
        key = services.demo_business_key()
        showcase = services.demo_showcase(seed=options["seed"])
        uscc = next((shown.code for shown in showcase if shown.label == "demo firm"), "<USCC>")
        if key:
            self.stdout.write(f"Business system (the check API): X-API-Key: {key}")
            self.stdout.write(f"  curl -H 'X-API-Key: {key}' -H 'Content-Type: application/json' "
                              f"-d '{{\"uscc\": \"{uscc}\", \"matter\": \"NB-CG-001\"}}' {url}api/v1/checks")
        else:
            self.stdout.write("Business system (the check API): its API key was printed once, when the city was "
                              "seeded (not kept by this data directory)")
        self.stdout.write("")
        for shown in showcase:
            self.stdout.write(f"{shown.label:<17} {shown.name} ({shown.code}): records {shown.records}, "
                              f"list entries {shown.list_entries}")
        self.stdout.write("")
        if options["no_serve"]:
            return
        self._serve(options)

    def _serve(self, options: dict[str, Any]) -> None:
        # A SIGTERM (service managers, `timeout`) ends the server like Ctrl-C: the worker is stopped too.
        def terminate(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, terminate)
        # Our own interpreter and commands: no user input reaches the argument lists.
        workers = {name: subprocess.Popen([sys.executable, "-m", "gongxin.cli", *arguments])  # noqa: S603
                   for name, arguments in WORKERS.items()}
        identity: LocalProvider | None = None
        try:
            identity = self._identity_start(options)
            call_command("runserver", f"{options['host']}:{options['port']}", insecure_serving=True,
                         use_reloader=False)
        except KeyboardInterrupt:
            pass
        finally:
            if identity is not None:
                identity.stop()
            for worker in workers.values():
                worker.terminate()
            for worker in workers.values():
                try:
                    worker.wait(timeout=WORKER_STOP_SECONDS)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
        for name, worker in workers.items():
            if worker.returncode not in (0, -15, None):
                raise CommandError(f"the {name} exited with status {worker.returncode}")

    def _identity_start(self, options: dict[str, Any]) -> LocalProvider | None:
        """The demo's unified identity (a local OpenID Connect provider, decision 056) beside the server, unless
        a city's provider is configured or ``--identity-port 0``; prints its accounts."""
        from gongxin.demo.identity import PASSWORD, demo_identity_start
        from gongxin.identity.config import identity_settings

        if not options["identity_port"] or identity_settings().enabled:
            return None
        provider, people = demo_identity_start(seed=options["seed"], host=options["host"], port=options["port"],
                                               provider_port=options["identity_port"])
        self.stdout.write(f"Unified identity (the local provider at {provider.issuer}): on the login page choose "
                          "\"Sign in through unified identity\", then sign in there as")
        for person in people:
            self.stdout.write(f"{'identity':<12} {person.username:<16} {PASSWORD:<16} {person.name}: {person.who}")
        self.stdout.write("")
        return provider
