"""Start the local OpenID Connect provider (``gongxin.identity.provider``) as a child process on loopback: the
demo's ``demo up`` and the test kit's session fixture (decision 056). It prints its issuer once it listens."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

START_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 10


@dataclass
class LocalProvider:
    process: subprocess.Popen[str]
    issuer: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def local_provider_start(
    *, directory: Path, people: list[dict[str, Any]], clients: list[tuple[str, str, str]],
    host: str = "127.0.0.1", port: int = 0,
) -> LocalProvider:
    """Write ``people`` (username, password, claims) and start the provider serving ``clients`` (client id,
    secret, redirect URI) on ``host:port`` (0: a free port); returns once it listens."""
    directory.mkdir(parents=True, exist_ok=True)
    people_file = directory / "people.json"
    people_file.write_text(json.dumps(people, ensure_ascii=False, indent=1), encoding="utf-8")
    people_file.chmod(0o600)  # the provider's people carry their identity numbers, as a province's service does
    command = [sys.executable, "-m", "gongxin.identity.provider", "--dir", str(directory), "--host", host,
               "--port", str(port)]
    for client_id, secret, redirect_uri in clients:
        command += ["--client", f"{client_id}:{secret}:{redirect_uri}"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gongxin.identity.provider.settings"}
    # Our own interpreter and module; the arguments are ours.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, env=env, text=True)  # noqa: S603
    first: list[str] = []
    reader = threading.Thread(target=lambda: first.append(process.stdout.readline() if process.stdout else ""),
                              daemon=True)
    reader.start()
    reader.join(START_TIMEOUT_SECONDS)
    if not first or not first[0].startswith("issuer "):
        process.kill()
        process.wait()
        raise RuntimeError(f"the local identity provider did not start (exit status {process.returncode})")
    return LocalProvider(process=process, issuer=first[0].split()[1])
