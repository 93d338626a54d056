"""When each build of the audit chain went live, and which site was live on a day.

The audit journal (``journal.jsonl``) logs the time each build was published. A build's as-of date is the date it
speaks for, not the day the public saw it: builds made late for past dates (a CI outage back-filled on one day) went
live when they were published. The site live on a day is the last build published by the end of that day (Asia/Shanghai),
whatever its as-of date. A build the journal gives no time for (a damaged line) is taken as published on its as-of date,
never before a build the chain has before it.

The journal is not covered by the chain: a manifest keeping its hash would make two sites built from the same inputs
at different times differ. With a signing key its lines are signed and linked instead (``history._journal``), checked by
``verify --audit`` and ``explain`` (``verify.journal_check``); here every line is read as it is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from site_builder.audit.history import ChainEntry
from site_builder.audit.layout import AuditFolder
from site_builder.rules.validation import CHINA


@dataclass(frozen=True)
class Live:
    """A build of the chain and when it went live."""

    entry: ChainEntry
    at: datetime | None
    """Its publication time (Asia/Shanghai), from the journal; ``None``: the journal does not say."""
    day: date
    """The day it is taken to have gone live: that of ``at``, else its as-of date (never before the build before it)."""

    def when(self) -> str:
        """When it went live, as an answer says it."""
        if self.at is None:
            return f"taken as published on {self.day} (its as-of date; the journal gives no time)"
        return f"published {self.at.strftime('%Y-%m-%d %H:%M')} (Asia/Shanghai)"


def publication_times(audit_root: Path) -> dict[str, datetime]:
    """The time (Asia/Shanghai) each build was published, from the journal's ``published`` events (its first); a line
    that is not an event gives none.

    A build killed after it switched the site, before it logged its publication, is logged as published by the next
    build (``reconciled``), at that build's time: it went live between its own ``prepared`` event and the kill, so
    that is the time taken (the days in between had been answered from the site it replaced); until then, its
    ``prepared`` time is all the journal says (a build never published is in no chain, so its time is never asked).
    Every other event (``abandoned``, ``failed``, one a later version writes) is skipped: it tells no site."""
    times: dict[str, datetime] = {}
    prepared: dict[str, datetime] = {}
    try:
        lines = AuditFolder(audit_root).journal.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return times
    for line in lines:
        try:
            event = json.loads(line)
            build_id = str(event.get("build_id"))
            kind = event.get("event")
            if kind not in ("published", "prepared") or build_id in times:
                continue
            at = datetime.fromisoformat(str(event["at"]).replace("Z", "+00:00")).astimezone(CHINA)
            if kind == "prepared":
                prepared[build_id] = at  # the last attempt (a rerun for the same date reuses the id of one abandoned)
            else:
                times[build_id] = prepared.get(build_id, at) if event.get("reconciled") else at
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
    return prepared | times  # a build prepared and not yet logged published (killed after the switch): since then


def timeline(chain: list[ChainEntry], times: Mapping[str, datetime | date]) -> list[Live]:
    """Each build of ``chain`` with when it went live (``times``: by build id, a time or a day)."""
    found: list[Live] = []
    for entry in chain:
        when = times.get(entry.build_id)
        at = when if isinstance(when, datetime) else None
        day = when.date() if isinstance(when, datetime) else when if isinstance(when, date) else date.fromisoformat(entry.as_of)
        found.append(Live(entry, at, max(day, found[-1].day) if found else day))
    return found


def live_on(builds: list[Live], day: date) -> list[Live]:
    """The builds that were the site on ``day``: each published that day, in order (the last was live at its end);
    without one, the last published before it; none before the first."""
    that_day = [build for build in builds if build.day == day]
    if that_day:
        return that_day
    before = [build for build in builds if build.day < day]
    return before[-1:]


def dated_for(builds: list[Live], day: date) -> Live | None:
    """The build that speaks for ``day``'s date: the last of the chain made for it or the latest date before it,
    whenever it was published (a back-filled build published after the day)."""
    made = [build for build in builds if build.entry.as_of <= day.isoformat()]
    return made[-1] if made else None


def replaced_by(builds: list[Live], build: Live) -> Live | None:
    """The build that replaced ``build`` on the site, if any."""
    index = builds.index(build)
    return builds[index + 1] if index + 1 < len(builds) else None
