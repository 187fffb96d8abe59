"""Serializers of the API's resources, one module an area; masking comes from the caller's Access."""

from __future__ import annotations

from rest_framework import serializers


class ModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose read-only choice fields keep the blank value the model allows.

    REST framework drops `allow_blank` from read-only fields, so the schema's enum of a field such as
    监测对象类别 (blank for a household that is not monitored) would leave out the "" it returns.
    """

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        blank = kwargs.get("allow_blank", False)
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if blank and "choices" in kwargs:
            kwargs["allow_blank"] = True
        return kwargs
