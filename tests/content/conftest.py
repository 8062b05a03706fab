import pytest
from django.core.management import call_command


@pytest.fixture
def demo(db):
    """The demo site, as `manage.py load_demo_content` builds it on a freshly migrated database."""
    call_command("load_demo_content", verbosity=0)
    from wagtail.models import Site

    return Site.objects.get(is_default_site=True)
