import pytest

from signatories.models import Departement


@pytest.mark.django_db
def test_reference_departements_are_loaded():
    assert Departement.objects.count() == 101
    assert Departement.objects.get(code="2A").region.name == "Corse"
