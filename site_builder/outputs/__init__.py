"""Outputs: each format the site is published in is an :class:`~site_builder.outputs.base.Output` (pages,
subject data files, data package, feed, sitemap, search index), listed in ``registry.py`` with those of
installed plugins, and written from the published store (``site.py``) through the layered theme (``theme.py``)."""
