from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from forums import content_checks, flairs, fragments
        from moderation import receivers, selectors  # noqa: F401  (receivers: watched words and held posts)
        from moderation.flairs import moderator_flairs
        from moderation.watched_words import refuse_blocked_words

        flairs.register(moderator_flairs)
        content_checks.register(refuse_blocked_words)
        fragments.offer_flag_reasons(selectors.flag_reasons())
