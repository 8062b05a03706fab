import pytest
from django.contrib.auth.models import Group, Permission


@pytest.fixture
def write_file(tmp_path):
    def write(content, name="file.csv", encoding="utf-8"):
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return write


@pytest.fixture
def staff(django_user_model):
    """An editor allowed to import and to export personal data."""
    user = django_user_model.objects.create_user("staff", "staff@example.org", "pw-staff-123456")
    group = Group.objects.create(name="Campaign staff")
    group.permissions.set(
        Permission.objects.filter(
            codename__in=["access_admin", "add_importjob", "view_importjob", "export_personal_data"]
        )
    )
    user.groups.add(group)
    return user


@pytest.fixture
def editor(django_user_model):
    """An admin user without the import or export permissions."""
    user = django_user_model.objects.create_user("editor", "editor@example.org", "pw-editor-123456")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


@pytest.fixture(autouse=True)
def _english_messages():
    """Reports are asserted in English (the source strings); test_french_report checks French."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _imports_root(settings, tmp_path):
    settings.IMPORTS_FILE_ROOT = tmp_path / "imports"
