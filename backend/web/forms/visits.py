"""Forms of the helpers' visit and call pages. The rules live in backend.fieldwork.services; these only
parse the request (a drawn signature arrives as the canvas's data URL)."""

from __future__ import annotations

import base64
import binascii
import re

from django import forms

from backend.fieldwork.codes import item_labels
from backend.fieldwork.models import SignMethod

from ..widgets import DateInput

_DATA_URL = re.compile(r"^data:image/[\w.+-]+;base64,(?P<data>[A-Za-z0-9+/=\s]+)$")


def data_url_bytes(value: str) -> bytes:
    """The image bytes of a canvas's `data:image/png;base64,…`; empty for an empty pad or anything else."""
    match = _DATA_URL.match(value or "")
    if not match:
        return b""
    try:
        return base64.b64decode(match.group("data"), validate=False)
    except (binascii.Error, ValueError):
        return b""


class CallForm(forms.Form):
    occurred_on = forms.DateField(label="日期", widget=DateInput())
    occurred_at = forms.TimeField(label="时间", required=False,
                                  widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    items = forms.MultipleChoiceField(label="帮扶事项", required=False, widget=forms.CheckboxSelectMultiple)
    summary = forms.CharField(label="帮扶实录", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    problems_raised = forms.CharField(label="反映的问题", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    problems_solved = forms.CharField(label="解决的问题", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    follow_up = forms.CharField(label="后续安排", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = list(item_labels().items())


class VisitForm(CallForm):
    people_met = forms.CharField(label="接待人", required=False, max_length=100)
    helper_signature = forms.CharField(label="帮扶责任人签字", required=False, widget=forms.HiddenInput)
    household_sign_method = forms.ChoiceField(label="贫困户确认方式", required=False, widget=forms.RadioSelect,
                                              choices=SignMethod.choices)
    household_signer_name = forms.CharField(label="签字（按手印、盖章）人姓名", required=False, max_length=40)
    household_signature = forms.CharField(label="贫困户或见证人签字", required=False, widget=forms.HiddenInput)
    witness_name = forms.CharField(label="村公证人或见证人姓名", required=False, max_length=40)
    witness_role = forms.CharField(label="公证人或见证人身份", required=False, max_length=40,
                                   help_text="如村公证人、村委委员")
    keep_location = forms.BooleanField(label="保留照片中的位置信息", required=False)
    # Files arrive in request.FILES ("photos", several); the field is here so their errors sit next to it.
    photos = forms.Field(label="走访照片", required=False, widget=forms.HiddenInput)

    field_order = ["occurred_on", "occurred_at", "items", "people_met", "summary", "problems_raised",
                   "problems_solved", "follow_up"]
