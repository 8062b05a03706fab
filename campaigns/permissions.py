"""The admin's permission policy for rows the product writes itself (signatures, sync rows, the
register): staff keep their model permissions except the actions nobody takes by hand."""

from wagtail.permission_policies import ModelPermissionPolicy


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    refused = frozenset({"add", "change", "delete"})

    def __init__(self, model, *, refused=None, **kwargs):
        super().__init__(model, **kwargs)
        if refused is not None:
            self.refused = frozenset(refused)

    def user_has_permission(self, user, action):
        return action not in self.refused and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)
