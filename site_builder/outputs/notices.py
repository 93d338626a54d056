"""Pages for records no longer public (the output ``notices``): a cited URL answers with a notice, not a 404.

For every record the site once published and no longer does (expired, repaired, withdrawn: the record state of
``audit/changes.py`` keeps each one's item and id), ``record/<item>/<record id>/index.html`` says that the record
is no longer in its disclosure period or has been withdrawn, with the record id only: no content, no subject
name, no reason beyond the reason classes the change files publish. The page is ``noindex``, written after the
sitemap (so not listed there) and left out of the search index. Pages are written through the build's file
index: an unchanged notice is taken over from the previous build.
"""

from __future__ import annotations

from pathlib import Path

from site_builder.outputs import base
from site_builder.outputs.render import Renderer
from site_builder.outputs.site import Site


def notice_paths(site: Site) -> list[tuple[str, str, str]]:
    """``(site path, item, record id)`` of every notice page this build writes (items still in the catalogue).

    None for a record id that a published record of the item now spells in another case (``AP-1`` withdrawn, ``ap-1``
    published: the platform changed the id's case): on a host that ignores case the two pages are one folder, and
    the notice could replace the record's page. Published ids are NFKC already, so case is all that can differ.
    """
    withdrawn = [(item, record_id) for item, record_id in (site.changes.withdrawn if site.changes is not None else ())
                 if item in site.catalogue.ids]
    keys = {(item, record_id.casefold()) for item, record_id in withdrawn}
    respelled = {key for key in ((item, record_id.casefold()) for item, record_id in site.store.record_ids())
                 if key in keys} if keys else set()
    return [(f"record/{item}/{record_id}/", item, record_id) for item, record_id in withdrawn
            if (item, record_id.casefold()) not in respelled]


class NoticesOutput(base.Output):
    """``record/<item>/<id>/index.html`` of each record no longer public: a short ``noindex`` notice."""

    name = "notices"
    title = "Notices at the URLs of records no longer public"
    media_types = ("text/html",)
    order = base.INDEXES + 5

    def write(self, site: Site, out: Path) -> list[str]:
        """Write one notice page per record no longer public; return them."""
        renderer = Renderer(site, out)
        for path, item, record_id in notice_paths(site):
            renderer.write(path, "notice.html", item_title=site.catalogue[item].title, record_id=record_id)
        return renderer.written
