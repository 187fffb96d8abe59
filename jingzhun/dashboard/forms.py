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

    issuer = forms.CharField(label=_("红头（发文机关）"), required=False, max_length=24,
                             help_text=_("填写后，Word 文档带红头：发文机关名称（红色小标宋）和红色分隔线；不填则没有红头。"))

    def __init__(self, *args, earlier=(), issuer_hint: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["since"].choices = [("", _("不比较"))] + [(r.pk, f"{r.as_of:%Y-%m-%d}") for r in earlier]
        if issuer_hint:
            self.fields["issuer"].widget.attrs["placeholder"] = issuer_hint
