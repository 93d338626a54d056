"""The one small exception hierarchy of site_builder.

The library raises these; ``cli.py`` turns them into a precise message and a non-zero exit.
Bad *rows* are never exceptions: they are quarantined (see ``validation.py``).
"""

from __future__ import annotations


class SiteBuilderError(Exception):
    """Base class: a problem that stops the command, with a sentence saying what and where."""


class ConfigError(SiteBuilderError):
    """The site configuration file is missing, unreadable or invalid."""


class CatalogueError(SiteBuilderError):
    """A catalogue item or disclosure profile under ``data/`` is invalid."""


class InputError(SiteBuilderError):
    """A records file cannot be read at all (as opposed to a bad row, which is quarantined)."""


class BuildError(SiteBuilderError):
    """A stage failed while writing the site (rendering, data package, search index, verify)."""


class AuditError(SiteBuilderError):
    """The audit folder or its chain is unreadable, inconsistent, or held by another build."""


class PublishError(SiteBuilderError):
    """The output folder cannot be replaced safely (not a site of this tool, read-only, disk full)."""


class InitError(SiteBuilderError):
    """``site-builder init`` cannot make the site folder (it exists and is not empty, or cannot be written)."""


class SigningError(SiteBuilderError):
    """A signing key is missing, unreadable, or does not match the chain's key."""
