"""The targets' resource: decision makers imported from a file through the signatories' import engine."""

from django.utils.translation import gettext_lazy
from import_export import fields

from signatories.imports.base import TabularResource, text_field
from signatories.imports.normalise import normalise
from signatories.imports.widgets import BooleanWidget, ChoiceWidget

from .models import Target


class TargetResource(TabularResource):
    label = gettext_lazy("Targets (decision makers)")
    name = text_field("name")
    title = text_field("title")
    institution = text_field("institution")
    kind = fields.Field(attribute="kind", column_name="kind", widget=ChoiceWidget(Target.Kind))
    email = text_field("email")
    postal_address = text_field("postal_address")
    territory = text_field("territory")
    active = fields.Field(attribute="active", column_name="active", widget=BooleanWidget())
    required_columns = ("name",)

    class Meta:
        model = Target
        fields = (
            "name",
            "title",
            "institution",
            "kind",
            "email",
            "postal_address",
            "territory",
            "active",
        )

    def duplicate_key(self, row):
        return (normalise(row.get("name")), normalise(row.get("institution")))

    def instance_keys(self, row):
        return ((str(row.get("name") or "").strip(), str(row.get("institution") or "").strip()),)

    def existing_instances(self, rows):
        names = {key[0] for row in rows for key in self.instance_keys(row)}
        return {(t.name, t.institution): t for t in Target.objects.filter(name__in=names)}
