import factory

from campaigns.delivery.models import Delivery, Target, TargetAnswer


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    name = factory.Sequence(lambda n: f"Député·e {n}")
    title = "Madame la députée"
    institution = "Assemblée nationale"
    kind = Target.Kind.MP
    email = factory.Sequence(lambda n: f"depute{n}@assemblee-nationale.fr")
    territory = "Rhône (1re circonscription)"


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    campaign = factory.SubFactory("tests.factories.campaigns.CampaignFactory")
    title = "Lettre ouverte sur le numérique en bibliothèque"
    message = "Madame, Monsieur,\n\nVeuillez trouver ci-joint notre lettre ouverte."


class TargetAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetAnswer

    target = factory.SubFactory(TargetFactory)
    campaign = factory.SubFactory("tests.factories.campaigns.CampaignFactory")
    position = TargetAnswer.Position.AGREE
    text = "Nous partageons vos constats."
    published = True
