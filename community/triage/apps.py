from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "community.triage"
    label = "triage"
    verbose_name = _("Newcomer queue")

    def ready(self) -> None:
        from community.triage import receivers  # noqa: F401  (routes new newcomer threads to experts)
