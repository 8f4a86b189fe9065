from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpertiseConfig(AppConfig):
    name = "community.expertise"
    label = "expertise"
    verbose_name = _("Expertise")

    def ready(self) -> None:
        from community.expertise import receivers  # noqa: F401  (a deleted member is an expert no more)
        from community.expertise.flairs import expert_flairs
        from forums import flairs

        flairs.register(expert_flairs)
