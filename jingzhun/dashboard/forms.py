from django import forms
from django.utils.translation import gettext_lazy as _

from jingzhun.orgunits.widgets import IsoDateInput


class AtDateForm(forms.Form):
    """查看某日的数据: the date whose (last) stored refresh a page shows; blank = the latest."""

    at = forms.DateField(label=_("查看日期"), required=False, input_formats=["%Y-%m-%d"],
                         widget=IsoDateInput(),
                         error_messages={"invalid": _("日期格式应为 年-月-日，例如 2020-12-31。")})


class BulletinForm(forms.Form):
    """对比日期: the earlier refresh the bulletin compares with (blank = no comparison)."""

    since = forms.TypedChoiceField(label=_("与此日比较"), required=False, coerce=int, empty_value=None,
                                   error_messages={"invalid_choice": _("所选的对比日期不存在，请重新选择。")})

    def __init__(self, *args, earlier=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["since"].choices = [("", _("不比较"))] + [(r.pk, f"{r.as_of:%Y-%m-%d}") for r in earlier]
