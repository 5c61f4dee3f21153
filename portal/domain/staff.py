"""Members of staff: accounts, roles, passwords."""

import peewee

from portal.domain.base import clean_text
from portal.domain.base import normalise_email
from portal.domain.base import require_staff
from portal.errors import Invalid
from portal.store.db import database
from portal.store.models import ROLES
from portal.store.models import StaffSession
from portal.store.models import User


def create_user(email: str, name: str, role: str, password: str, actor: User | None = None):
    """Add a member of staff."""
    require_staff(actor, ("admin",))
    if role not in ROLES:
        raise Invalid(f"Role {role!r} is not one of {', '.join(ROLES)}.")
    if len(password) < 8:
        raise Invalid("The password needs at least 8 characters.")
    user = User(email=normalise_email(email), name=clean_text(name, "Name", True, 200), role=role)
    user.set_password(password)
    try:
        with database.atomic():
            user.save()
    except peewee.IntegrityError:
        raise Invalid(f"A user with the email {user.email} already exists.") from None
    return user


def update_user(actor, user: User, *, role: str | None = None, active: bool | None = None):
    """Change a member of staff's role, or whether they can sign in."""
    require_staff(actor, ("admin",))
    role = user.role if role is None else role
    active = user.active if active is None else bool(active)
    if role not in ROLES:
        raise Invalid(f"Role {role!r} is not one of {', '.join(ROLES)}.")
    losing_admin = user.is_admin and user.active and not (role == "admin" and active)
    if losing_admin and actor is not None and actor.id == user.id:
        raise Invalid("You cannot take away your own admin access: ask another admin.")
    with database.atomic():
        others = User.select().where((User.role == "admin") & User.active & (User.id != user.id))
        if losing_admin and not others.exists():
            raise Invalid(f"{user.email} is the last active admin; make another admin first.")
        user.role, user.active = role, active
        user.save()
        if not active:
            StaffSession.end_all(user)  # reactivating must not bring an old cookie back
    return user


def set_password(actor, user: User, password: str) -> User:
    """Give a member of staff a new password (an imported account has none it knows)."""
    require_staff(actor, ("admin",))
    if len(password) < 8:
        raise Invalid("The password needs at least 8 characters.")
    with database.atomic():
        user.set_password(password)
        user.save()
        StaffSession.end_all(user)  # whoever knew the old password is signed out
    return user
