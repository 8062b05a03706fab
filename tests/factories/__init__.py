from .campaigns import CampaignFactory  # noqa: F401
from .delivery import DeliveryFactory, TargetAnswerFactory, TargetFactory  # noqa: F401
from .signatories import (  # noqa: F401
    DepartementFactory,
    OrganisationFactory,
    SignatoryFactory,
    SignatureFactory,
)
