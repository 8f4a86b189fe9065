from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from forums import flairs
        from moderation.flairs import moderator_flairs

        flairs.register(moderator_flairs)
