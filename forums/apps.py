from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    name = "forums"
    verbose_name = _("Forums")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from forums import page_cache
        from forums.models import Category, Tag

        # Categories and tags are edited in the admin too (model saves): every kept page may show them.
        for model in (Category, Tag):
            post_save.connect(page_cache.on_site_row_saved, sender=model, dispatch_uid=f"page_cache.{model.__name__}.saved")
            post_delete.connect(page_cache.on_site_row_saved, sender=model, dispatch_uid=f"page_cache.{model.__name__}.deleted")
