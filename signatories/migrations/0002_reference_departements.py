from django.db import migrations


def load(apps, schema_editor):
    from signatories.geo import read_reference

    Region = apps.get_model("signatories", "Region")
    Departement = apps.get_model("signatories", "Departement")
    regions = {}
    for row in read_reference("regions.csv"):
        regions[row["code"]], _ = Region.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"]}
        )
    for row in read_reference("departements.csv"):
        Departement.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "region": regions[row["region"]]}
        )


class Migration(migrations.Migration):
    dependencies = [("signatories", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
