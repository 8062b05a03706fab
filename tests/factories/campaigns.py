import factory
from django.utils import timezone

from campaigns.models import Campaign


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        django_get_or_create = ("slug",)

    title = factory.Sequence(lambda n: f"Campagne {n}")
    slug = factory.Sequence(lambda n: f"campagne-{n}")
    status = Campaign.Status.OPEN
    goal = 1000
    opens_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=1))
    closes_at = None

    class Params:
        closed = factory.Trait(
            status=Campaign.Status.CLOSED,
            opens_at=factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=60)),
            closes_at=factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=30)),
        )
