"""Serializer fields and small output shapes every app's API shares."""

from __future__ import annotations

from rest_framework import serializers


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A pk resolved at validation time in the organization in scope (a
    queryset built at import time would carry no scope)."""

    def __init__(self, model, *, select_related: tuple[str, ...] = (), **kwargs):
        self.model = model
        self.related = select_related
        super().__init__(queryset=model.objects.none(), **kwargs)

    def get_queryset(self):
        return self.model.objects.select_related(*self.related)


class UserBrief(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, obj) -> str:
        return obj.get_full_name() or obj.username


class DepartmentBrief(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
