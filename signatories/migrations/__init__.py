def load_reference_data(apps):
    """Regions and départements from signatories/data/ (used by migration 0002 and test set-up)."""
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
