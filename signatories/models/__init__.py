# Models live in one module per concern; this package re-exports them for Django and callers.
from .abuse_settings import AbuseSettings  # noqa: F401
from .counts import *  # noqa: F401,F403  (aggregated counters)
from .intake import Submission  # noqa: F401
from .reference import Departement, Organisation, Region  # noqa: F401
from .signatures import InvalidTransition, Signatory, Signature, SignatureQuerySet  # noqa: F401
