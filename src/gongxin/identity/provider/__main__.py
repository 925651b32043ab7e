"""``python -m gongxin.identity.provider``: prepare the local provider's database and serve it on loopback."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

SETTINGS = "gongxin.identity.provider.settings"


def _key_ensure(directory: Path) -> None:
    path = directory / "signing-key.pem"
    if path.exists():
        return
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)


def _client(value: str) -> tuple[str, str, str]:
    client_id, secret, redirect_uri = value.split(":", 2)
    if not (client_id and secret and redirect_uri):
        raise argparse.ArgumentTypeError("expected CLIENT_ID:SECRET:REDIRECT_URI")
    return client_id, secret, redirect_uri


def _prepare(clients: list[tuple[str, str, str]]) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from oauth2_provider.models import get_application_model

    call_command("migrate", interactive=False, verbosity=0, run_syncdb=True)
    people_file: Path = getattr(settings, "PEOPLE_FILE")  # noqa: B009 - the provider's own setting
    people: list[dict[str, Any]] = json.loads(people_file.read_text(encoding="utf-8"))
    users = get_user_model()
    for person in people:
        users.objects.create_user(username=person["username"], password=person["password"])
    applications = get_application_model()
    for client_id, secret, redirect_uri in clients:
        applications.objects.create(
            client_id=client_id, name=client_id, client_secret=secret, client_type=applications.CLIENT_CONFIDENTIAL,
            authorization_grant_type=applications.GRANT_AUTHORIZATION_CODE, redirect_uris=redirect_uri,
            algorithm=applications.RS256_ALGORITHM, skip_authorization=True,
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gongxin.identity.provider", description=__doc__)
    parser.add_argument("--dir", type=Path, required=True, help="its SQLite file, signing key and people.json")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: a free port (printed)")
    parser.add_argument("--client", type=_client, action="append", default=[],
                        help="a relying party: CLIENT_ID:SECRET:REDIRECT_URI (repeatable)")
    options = parser.parse_args(argv)
    directory: Path = options.dir.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    # A disposable database: its people and clients are the command line's and the people file's, every start.
    (directory / "provider.sqlite3").unlink(missing_ok=True)
    _key_ensure(directory)
    os.environ["GONGXIN_IDP_DIR"] = str(directory)
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS

    import django

    django.setup()
    _prepare(options.client)

    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadedWSGIServer((options.host, options.port), QuietHandler)
    server.set_app(WSGIHandler())
    port = server.server_address[1]
    print(f"issuer http://{options.host}:{port}/o", flush=True)  # the parent process reads this line
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
