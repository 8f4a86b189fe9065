from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community"

    def ready(self) -> None:
        from community import permissions
        from forums import permissions as forum_permissions

        forum_permissions.register(permissions)
