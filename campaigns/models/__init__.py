from .campaign import Campaign  # noqa: F401
from .mailchimp import *  # noqa: F401,F403  (audience connection, outbox, webhook events)
from .delivery import *  # noqa: F401,F403  (targets, deliveries, answers)
