from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gongxin.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from gongxin.core import checks  # noqa: F401 - registers the platform's system checks
