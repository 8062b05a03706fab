"""The one typed reader of the environment: every setting comes through here."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parents[2]
SITE_DIR = BASE_DIR / "site"

env = environ.Env()
# A local .env is read for convenience in development; real deployments set the environment.
_dotenv = BASE_DIR / ".env"
if _dotenv.exists():
    env.read_env(str(_dotenv), overwrite=False)
