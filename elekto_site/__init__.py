"""The Elekto site.

``__version__`` is the release this code is (CHANGELOG.md has one section per release). ``SCHEMA_GENERATION`` is
the generation of the database schema this code writes: a migration that changes what a write means raises the
database's generation (``elekto_site.schema``), and code of a lower generation then refuses to write.
"""

__version__ = "1.2.0"
SCHEMA_GENERATION = 2
