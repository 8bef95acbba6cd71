"""Who may see and change a registered thing (a dataset, a model): one rule for both registries.

Mixed into a model that has ``visibility`` (with a ``Visibility`` choices class holding
``PUBLIC``), ``owner_id`` and a ``maintainers`` many-to-many of users.
"""


class OwnedAndMaintained:
    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC

    def can_view(self, user) -> bool:
        return self.is_public or self.can_maintain(user)

    def can_maintain(self, user) -> bool:
        """The owner, a maintainer or staff."""
        if user is None or not user.is_authenticated:
            return False
        if user.is_staff or user.pk == self.owner_id:
            return True
        return self.maintainers.filter(pk=user.pk).exists()
