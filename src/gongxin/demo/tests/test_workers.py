"""``gongxin demo up`` runs, beside the web server, the task worker and the webhook sender (which retries
failed webhooks after their backoff); each is a command of the platform that takes those arguments."""

from __future__ import annotations

from django.core.management import get_commands, load_command_class

from gongxin.demo.management.commands.demo import WORKERS


def test_demo_up_runs_the_webhook_sender_and_the_task_worker() -> None:
    assert ["sharing", "deliver"] in WORKERS.values()
    assert ["db_worker", "--no-reload"] in WORKERS.values()


def test_the_webhook_sender_is_a_command_that_accepts_its_arguments() -> None:
    # (db_worker's parser needs the database task backend, which the tests replace with the immediate one.)
    name, *arguments = WORKERS["webhook sender"]
    command = load_command_class(get_commands()[name], name)
    options = command.create_parser("gongxin", name).parse_args(arguments)
    assert options.action == "deliver" and not options.once
