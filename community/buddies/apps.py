from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BuddiesConfig(AppConfig):
    name = "community.buddies"
    label = "buddies"
    verbose_name = _("Buddies")

    def ready(self) -> None:
        from community.buddies import receivers  # noqa: F401
