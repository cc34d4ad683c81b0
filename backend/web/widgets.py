"""Form widgets the pages share."""

from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker; its value is always ISO (YYYY-MM-DD), whatever the locale's format."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
