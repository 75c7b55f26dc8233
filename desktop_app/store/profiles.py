"""Provider profiles: which provider, where, for which emisor. No secrets here."""

from __future__ import annotations

from sqlmodel import select

from desktop_app.store.db import Database
from desktop_app.store.models import ProviderProfile


def list_profiles(db: Database) -> list[ProviderProfile]:
    with db.session() as s:
        return list(s.exec(select(ProviderProfile).order_by(ProviderProfile.id)))


def get_profile(db: Database, name_or_id: str | int) -> ProviderProfile | None:
    with db.session() as s:
        if isinstance(name_or_id, int) or str(name_or_id).isdigit():
            found = s.get(ProviderProfile, int(name_or_id))
            if found is not None:
                return found
        return s.exec(select(ProviderProfile).where(ProviderProfile.name == str(name_or_id))).first()


def default_profile(db: Database) -> ProviderProfile | None:
    """The profile marked default, else the first real one, else the demo one."""
    profiles = list_profiles(db)
    for p in profiles:
        if p.is_default:
            return p
    real = [p for p in profiles if not p.is_demo]
    return (real or profiles or [None])[0]


def save_profile(db: Database, profile: ProviderProfile) -> ProviderProfile:
    with db.write() as s:
        if profile.is_default:
            for other in s.exec(select(ProviderProfile).where(ProviderProfile.is_default)):
                if other.id != profile.id:
                    other.is_default = False
                    s.add(other)
        merged = s.merge(profile)
        s.flush()
        s.refresh(merged)
        return merged


def remove_profile(db: Database, name: str) -> bool:
    """Remove a profile that has no documents (documents keep their history)."""
    from desktop_app.store.models import Document

    with db.write() as s:
        profile = s.exec(select(ProviderProfile).where(ProviderProfile.name == name)).first()
        if profile is None:
            return False
        if s.exec(select(Document.id).where(Document.profile_id == profile.id).limit(1)).first():
            raise ValueError(f"el perfil {name} tiene documentos y no se puede eliminar")
        s.delete(profile)
        return True
