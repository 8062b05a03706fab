# Models live in one module per concern; this package re-exports them for Django and callers.
from .reference import Departement, Organisation, Region  # noqa: F401
from .signatures import InvalidTransition, Signatory, Signature, SignatureQuerySet  # noqa: F401
from .counts import *  # noqa: F401,F403  (aggregated counters)
from .moderation import *  # noqa: F401,F403  (moderation audit trail, bulk invalidations)
from .register import *  # noqa: F401,F403  (register of elected officials, match candidates)
from .imports import *  # noqa: F401,F403  (import jobs, export log)
