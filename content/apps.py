from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Content")

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from signatories.signals import counts_changed

        from .caching import invalidate_pages

        # Apps whose rows public pages show; signatures are not among them (the counter follows
        # counts_changed instead), so signing never invalidates the page cache.
        shown = {"content", "campaigns", "delivery", "wagtailcore", "wagtaildocs", "wagtailimages"}

        def on_change(sender, **kwargs):
            # Image renditions are made while a page renders: they change nothing shown.
            if sender._meta.app_label in shown and not sender._meta.model_name.endswith(
                "rendition"
            ):
                invalidate_pages()

        def on_publish(**kwargs):
            invalidate_pages()

        post_save.connect(on_change, weak=False, dispatch_uid="pagecache_save")
        post_delete.connect(on_change, weak=False, dispatch_uid="pagecache_delete")
        for signal in (page_published, page_unpublished, post_page_move, counts_changed):
            signal.connect(on_publish, weak=False, dispatch_uid=f"pagecache_{id(signal)}")
