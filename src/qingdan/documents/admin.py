"""Back office of the documents app (registrations live next to their feature)."""

from qingdan.documents.handbook import admin as handbook_admin  # noqa: F401
