"""All models, imported here so metadata (and Alembic's autogenerate) sees them."""
from nic.models.base import TenantMixin, utcnow
from nic.models.mail import OutboxMessage
from nic.models.membership import ROLE_LABELS, ROLES, Invitation, Membership
from nic.models.network import Network, School
from nic.models.user import ApiToken, PasswordReset, User

__all__ = [
    "ApiToken", "Invitation", "Membership", "Network", "OutboxMessage", "PasswordReset",
    "ROLES", "ROLE_LABELS", "School", "TenantMixin", "User", "utcnow",
]
