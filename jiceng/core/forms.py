from django import forms


class Form(forms.Form):
    """Base form: Bootstrap classes on every widget, and the invalid ones marked."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self):
        """Bootstrap classes; forms that add fields after __init__ call it again."""
        for field in self.fields.values():
            css = ("form-select" if isinstance(field.widget, forms.Select) else
                   "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control")
            field.widget.attrs.setdefault("class", css)

    def add_error(self, field, error):
        # errors come from clean() and from the services after it: mark the field either way
        super().add_error(field, error)
        for name in self.errors:
            attrs = self.fields[name].widget.attrs if name in self.fields else None
            if attrs is not None and "is-invalid" not in attrs["class"].split():
                attrs["class"] += " is-invalid"
