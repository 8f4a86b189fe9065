from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "community.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from community.events import receivers  # noqa: F401  (a deleted member's seats go back)
