from django.apps import AppConfig


class AdmissionConfig(AppConfig):
    name = "jiceng.admission"
    label = "admission"
    verbose_name = "发展"
