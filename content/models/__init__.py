"""Content models: pages, site settings and navigation (re-exported for Django)."""

from .navigation import NavigationMenu, NavigationMenuItem  # noqa: F401
from .pages import (  # noqa: F401
    BasePage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    OpenLetterCosigner,
    OpenLetterPage,
    PositionPaperDocument,
    PositionPaperPage,
    StandardPage,
)
from .settings import SiteSettings  # noqa: F401
