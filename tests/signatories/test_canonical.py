import pytest

from signatories.canonical import canonical_email, email_domain


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("Jean.Dupont@Example.ORG", "jean.dupont@example.org"),
        ("  jean@example.org ", "jean@example.org"),
        ("J.e.a.n+lettre@gmail.com", "jean@gmail.com"),
        ("jean@googlemail.com", "jean@gmail.com"),
        ("JEAN+x@GMAIL.COM", "jean@gmail.com"),
        ("marie+asso@outlook.fr", "marie@outlook.fr"),
        ("marie.curie+tag@mairie-lyon.fr", "marie.curie+tag@mairie-lyon.fr"),
        ("élodie@bibliothèque.fr", "élodie@xn--bibliothque-59a.fr"),
    ],
)
def test_canonical_email(raw, canonical):
    assert canonical_email(raw) == canonical


def test_email_domain():
    assert email_domain("a@Mairie-Exemple.FR") == "mairie-exemple.fr"
    assert email_domain("not an email") == ""
