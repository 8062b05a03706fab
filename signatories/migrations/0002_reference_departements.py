from django.db import migrations

from signatories.migrations import load_reference_data


def load(apps, schema_editor):
    load_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [("signatories", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
