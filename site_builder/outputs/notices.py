"""Pages for records and subjects no longer public (the output ``notices``): a cited URL answers with a notice, not
a 404.

For every record the site once published and no longer does (expired, repaired, withdrawn: the record state of
``audit/changes.py`` keeps each one's item and id), ``record/<item>/<record id>/index.html`` says that the record
is no longer in its disclosure period or has been withdrawn, with the record id only: no content, no subject
name, no reason beyond the reason classes the change files publish. Likewise for every subject whose page the site
once published and which has no public record now (the record state keeps the codes of the subjects that had a
page), ``subject/<code>/index.html`` says that the site has no information about it in its disclosure period, with
the code of its URL only: not the subject's name (a subject whose records were withdrawn after credit repair must
not stay named), no record, no date. Its data files (``data.json``, ``data.csv``) go, as the rows of a withdrawn
record leave the item's CSV. A subject with a public record again has its page back at the same URL.

The pages are ``noindex``, written after the sitemap (so not listed there) and left out of the search index. They
are written through the build's file index: an unchanged notice is taken over from the previous build.
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


def subject_notice_paths(site: Site) -> list[tuple[str, str]]:
    """``(site path, code)`` of every subject notice this build writes: the subjects that had a page once and have
    no public record now (the record state lists only those), in code order."""
    return [(f"subject/{key}/", key) for key in (site.changes.withdrawn_subjects if site.changes is not None else ())]


class NoticesOutput(base.Output):
    """``record/<item>/<id>/index.html`` of each record, and ``subject/<code>/index.html`` of each subject, no longer
    public: a short ``noindex`` notice."""

    name = "notices"
    title = "Notices at the URLs of records and subjects no longer public"
    media_types = ("text/html",)
    order = base.INDEXES + 5

    def write(self, site: Site, out: Path) -> list[str]:
        """Write one notice page per record and per subject no longer public; return them."""
        renderer = Renderer(site, out)
        for path, item, record_id in notice_paths(site):
            renderer.write(path, "notice.html", item_title=site.catalogue[item].title, record_id=record_id)
        for path, key in subject_notice_paths(site):
            renderer.write(path, "subject_notice.html", code=key)
        return renderer.written
