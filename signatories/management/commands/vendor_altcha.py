"""Copy the ALTCHA widget from node_modules into signatories/static (self-hosted, no CDN).

The built files are committed, so the site needs no Node.js to run; run this after upgrading the
`altcha` devDependency in package.json (`npm ci` first).
"""

import json
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# What the page loads: the widget without bundled workers (strict CSP: no inline styles or blob
# workers needed), its stylesheet, the PBKDF2 worker and the French strings.
FILES = {
    "dist/external/altcha.min.js": "altcha.min.js",
    "dist/external/altcha.css": "altcha.css",
    "dist/workers/pbkdf2.js": "pbkdf2.js",
    "dist/i18n/fr-fr.js": "fr-fr.js",
    "LICENSE.txt": "LICENSE.txt",
}


class Command(BaseCommand):
    help = "Copy the ALTCHA widget from node_modules/altcha into signatories/static."

    def add_arguments(self, parser):
        parser.add_argument("--source", default=str(settings.BASE_DIR / "node_modules" / "altcha"))

    def handle(self, *args, source, **options):
        source = Path(source)
        if not (source / "package.json").exists():
            raise CommandError(f"{source} not found: run `npm ci` first.")
        version = json.loads((source / "package.json").read_text())["version"]
        target = (
            Path(__file__).resolve().parents[2] / "static" / "signatories" / "vendor" / "altcha"
        )
        target.mkdir(parents=True, exist_ok=True)
        for relative, name in FILES.items():
            shutil.copyfile(source / relative, target / name)
        (target / "VERSION").write_text(
            f"altcha {version} (npm): copied by `manage.py vendor_altcha`\n"
        )
        self.stdout.write(f"Copied altcha {version} into {target}")
