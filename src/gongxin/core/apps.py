from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gongxin.core"
    label = "core"
    verbose_name = "Core"
