"""The one place settings read the environment.

Every variable goes through ``env`` (django-environ). Secrets may also come
from a file named by ``<NAME>_FILE`` (Docker/Kubernetes secrets), which wins
over the plain variable so a secret never has to sit in the process env.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()


def env_secret(name: str, default: str | None = None) -> str | None:
    file_path = env.str(f"{name}_FILE", default="")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return env.str(name, default=default)
