from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "jiceng.training"
    label = "training"
    verbose_name = "培训"

    def ready(self):
        from . import offers

        offers.register()
