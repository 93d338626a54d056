"""Change files (the output ``changes``): what each build added, changed and withdrawn since the build before.

```
changes/index.html              the change sets the site carries ([changes] days and kept), newest first, and
                                from which build on they are complete
changes/<build id>/index.html   one build's changes: counts per item and kind, then the records
changes/<build id>/changes.csv  one row per change (UTF-8 with a BOM, CRLF line ends)
changes/<build id>/changes.json the same, with the build, the build before it and the reason classes
changes/withdrawn.xml           an Atom feed of the withdrawals (record ids and reason classes)
```

A change names its record by item and record id, and (added or changed) by the URL of its page; a change
of values names the fields, never a value; a withdrawal carries a public reason class
(:data:`site_builder.audit.changes.REASON_CLASSES`). No subject name and no value is ever written here, so a
record withdrawn by a later build leaves nothing in these files but its id: readers join a change with the
data package's CSV of the same day by item and record id.

The change sets come from the audit folder (``audit/changes.py``): each is fixed once its build is made, so
an older set's files are taken over from the previous build unchanged (their fingerprint is their content).
Which sets the site carries is :func:`site_builder.audit.changes.change_log`'s: a period and a count, builds that
changed nothing counted on the index, not listed. The withdrawal feed is drawn from the same sets (its newest
:data:`FEED_SIZE` entries; its subtitle says so and from which build).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from site_builder.audit.changes import CLASS_NOTES, CLASS_TITLES, KINDS, Change, ChangeLog, ChangeSet
from site_builder.outputs import base
from site_builder.outputs.discovery import FEED_SIZE, xml_safe
from site_builder.outputs.files import fingerprint
from site_builder.outputs.render import Renderer
from site_builder.outputs.site import Site
from site_builder.outputs.theme import render
from site_builder.store.published import DATED

COLUMNS = ("build_id", "as_of", "change", "item", "record_id", "fields", "reason", "first_published", "url")
"""Columns of ``changes.csv``."""
KIND_TITLES = {"added": "新增", "changed": "变更", "withdrawn": "撤下"}
LIST_LIMIT = 1000
"""Records a change page lists per kind (the files list every one)."""
WITHDRAWN_FEED = "changes/withdrawn.xml"
DATED_TITLES = dict(zip(DATED, ("本站公示起始日期", "本站公示截止日期", "异议标注"), strict=True))
"""Titles of the dates that join a record's public values (see ``store/published.py``)."""


class ChangesOutput(base.Output):
    """``changes/``: a page, a CSV and a JSON file per change set kept, an index of them and a feed of withdrawals."""

    name = "changes"
    title = "Change files: records added, changed and withdrawn per build"
    media_types = ("text/html", "text/csv", "application/json", "application/atom+xml")
    order = base.DATA + 5

    def write(self, site: Site, out: Path) -> base.Paths:
        """Write the files of every change set the site carries, the index page and the withdrawal feed."""
        log = site.changes or ChangeLog(site.build_id, site.as_of, site.build_id, site.as_of, (),
                                        site.config.changes.kept, days=site.config.changes.days)
        renderer = Renderer(site, out)
        titles = {item.id: item.title for item in site.catalogue.items}
        written: list[Path] = []
        for changes in log.sets:
            written += write_files(site, out, changes)
            renderer.write(f"changes/{changes.build_id}/", "changes_set.html", changes=changes, item_titles=titles,
                           counts=item_counts(changes), listed=listed(site, changes), limit=LIST_LIMIT,
                           kinds=KIND_TITLES, classes=CLASS_TITLES)
        renderer.write("changes/", "changes.html", log=log, kinds=KIND_TITLES,
                       classes=[(c, CLASS_TITLES[c], CLASS_NOTES[c]) for c in CLASS_TITLES])
        withdrawals = [(changes, change) for changes in log.sets for change in changes.of_kind("withdrawn")]
        xml = render(renderer.env, "changes_withdrawn.xml", WITHDRAWN_FEED, entries=withdrawals[:FEED_SIZE], log=log,
                     total=len(withdrawals), limit=FEED_SIZE, item_titles=titles, classes=CLASS_TITLES,
                     canonical=site.canonical(WITHDRAWN_FEED))
        written.append(site.index(out).write_text(WITHDRAWN_FEED, xml_safe(xml)))
        return [*written, *renderer.written]


def item_counts(changes: ChangeSet) -> list[tuple[str, dict[str, int]]]:
    """Changes per item (in item order) and kind."""
    counts: dict[str, dict[str, int]] = {}
    for change in changes.changes:
        counts.setdefault(change.item, dict.fromkeys(KINDS, 0))[change.kind] += 1
    return sorted(counts.items())


def listed(site: Site, changes: ChangeSet) -> dict[str, list[tuple[Change, str]]]:
    """Per kind, the first :data:`LIST_LIMIT` changes with what the page says of each: the titles of the changed
    fields, or the reason class of a withdrawal."""
    fields = {item.id: {f.name: f.title for f in item.fields} | DATED_TITLES for item in site.catalogue.items}
    shown: dict[str, list[tuple[Change, str]]] = {}
    for kind in KINDS:
        of_kind = changes.of_kind(kind)[:LIST_LIMIT]
        if kind == "changed":
            shown[kind] = [(c, "、".join(fields.get(c.item, {}).get(n, n) for n in c.fields)) for c in of_kind]
        else:
            shown[kind] = [(c, CLASS_TITLES.get(c.reason, c.reason)) for c in of_kind]
    return shown


def rows(site: Site, changes: ChangeSet) -> list[dict[str, Any]]:
    """The changes as the files give them (a withdrawn record has no URL)."""
    return [{"change": c.kind, "item": c.item, "record_id": c.record_id, "fields": list(c.fields),
             "reason": c.reason or None, "first_published": c.first_published.isoformat(),
             "url": None if c.kind == "withdrawn" else site.canonical(f"record/{c.item}/{c.record_id}/")}
            for c in changes.changes]


def write_files(site: Site, out: Path, changes: ChangeSet) -> list[Path]:
    """``changes.csv`` and ``changes.json`` of one change set (taken over from the previous build if unchanged)."""
    files = site.index(out)
    folder = f"changes/{changes.build_id}/"
    names = [folder + "changes.csv", folder + "changes.json"]
    mark = fingerprint(files.key, folder + "changes", "changes", {"changes": changes, "base_url": site.config.site.base_url})
    if files.take_all(names, mark):
        return [out / name for name in names]
    listing = rows(site, changes)
    data = {
        "build": {"id": changes.build_id, "as_of": changes.as_of.isoformat()},
        "previous_build": {"id": changes.previous_build_id, "as_of": changes.previous_as_of.isoformat()},
        "counts": changes.counts,
        "reason_classes": {c: {"title": CLASS_TITLES[c], "description": CLASS_NOTES[c]} for c in CLASS_TITLES},
        "changes": listing,
    }
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    # Every cell is an id, a name from the catalogue, a date or a URL: record ids start with a letter or digit
    # (validation), so no cell can start a spreadsheet formula.
    writer.writerows([changes.build_id, changes.as_of.isoformat(), r["change"], r["item"], r["record_id"], ";".join(r["fields"]),
                      r["reason"] or "", r["first_published"], r["url"] or ""] for r in listing)
    files.write_text(names[0], buffer.getvalue(), mark, encoding="utf-8-sig")
    files.write_text(names[1], json.dumps(data, ensure_ascii=False, indent=1) + "\n", mark)
    return [out / name for name in names]

