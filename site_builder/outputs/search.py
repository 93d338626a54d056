"""The search index (the output ``search``, run last): Pagefind's extended build (Chinese word segmentation) over the
subject and record pages, in bundles a rebuild takes over when what Pagefind would read of them is unchanged, and
the exact lookup of codes and document numbers (``search_lookup.py``).

Pagefind never reads the site's folder: each run is a Pagefind service (:class:`Service`) given, for each indexed
page in path order, only what Pagefind takes from that page (its compact form: ``search_compact.py``), which gives the
bundle the whole pages give at a tenth of the bytes Pagefind parses and holds. Path order, not a folder's listing
order, numbers the pages, so the bundle is the same on every file system.

The pages indexed are the store's subjects (and records, with ``[search] index_records``), each at its page's path,
split into bundles (``[search] bundles``; by default one per :data:`PAGES_PER_BUNDLE` pages, at most :data:`MAX_BUNDLES`:
:func:`default_bundles`): a page goes to the bundle its path's hash names, so that a change touches only the bundles
holding changed pages. The first bundle is ``pagefind/``, the others ``pagefind/<n>/``; ``pagefind/bundles.json`` lists
the others, and the search page merges them into the first in the browser (Pagefind's ``mergeIndex``). Result URLs are
site paths in every bundle, so the merged results are those of one index over all pages; only the relevance scores are
each bundle's own.

Each bundle's files carry one fingerprint (:func:`bundle_fingerprint`): the Pagefind version and options, the
bundle's folder, its pages' paths, and the bytes Pagefind reads of each page. When it equals the previous build's,
the bundle's files are taken over and Pagefind does not run for it. To tell that without reading every page, a
rebuild compares only the pages rendered again: a page taken over unrendered is the previous build's page, so what
Pagefind reads of it is what it read then (:meth:`Bundle.unchanged`). Any other bundle is indexed by a fresh
Pagefind service whose files are written into a new temporary folder beside the site (up to ``[build] workers`` runs
at a time, each holding only its bundle in memory); :func:`make_reproducible` rewrites its unordered files there, and the finished files are
moved into the site through the build's file index, so no fragment of a withdrawn page survives.

Pagefind 1.5 writes its filter and metadata indexes in hash-map order, so two runs over the same pages differ (its
maintainers made only the fragments stable, Pagefind issue #638). :func:`make_reproducible` rewrites those few files
in sorted order under content-hash names, so the same inputs give a byte-identical bundle.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import cbor2

from site_builder import progress
from site_builder.exceptions import BuildError
from site_builder.outputs import base
from site_builder.outputs.files import FileIndex
from site_builder.outputs.parallel import worker_count
from site_builder.outputs.search_compact import compact_page
from site_builder.outputs.search_lookup import write_lookup, write_small
from site_builder.outputs.site import Site
from site_builder.rules.privacy import read_file

log = logging.getLogger(__name__)
_MAGIC = b"pagefind_dcd"
PAGES_PER_BUNDLE = 5_000
"""Indexed pages per search bundle when ``[search] bundles`` is 0, up to :data:`MAX_BUNDLES` bundles. A bundle is
indexed again whole when one of its pages changes or leaves (Pagefind takes some 0.7 ms a page, whatever the bundle's
size): on the large set, a night on which a subject page leaves indexed a bundle of 19,000 pages again in 22-25 s,
one of 4,800 pages in a few seconds (measured in the operator's guide)."""
MAX_BUNDLES = 20
"""Bundles at most when ``[search] bundles`` is 0: the search page loads every bundle's index before it can search
(20 bundles were ready 0.6 s after 5 on an emulated 4G phone); past 100,000 pages the bundles grow instead."""
FOLDER = "pagefind/"
"""The first bundle's folder; the others are ``pagefind/<n>/``."""
BUNDLES = "bundles.json"
"""In the first bundle: the site paths of the other bundles, for the search page to merge."""
_OPTIONS = ("--service", "pages in path order")
"""How Pagefind is run (part of every bundle's fingerprint): as a service, given the pages in path order."""


def pagefind_binary() -> Path:
    """The ``pagefind_extended`` executable shipped by the ``pagefind-bin-extended`` package."""
    try:
        import pagefind_bin_extended
    except ImportError as exc:
        raise BuildError("Search index: the package pagefind[extended] is not installed") from exc
    binary = pagefind_bin_extended.get_executable()
    if binary is None:
        raise BuildError("Search index: the pagefind_extended binary was not found")
    return Path(binary)


class SearchOutput(base.Output):
    """The Pagefind bundles in ``pagefind/`` over the subject and record pages written before it, and the exact lookup in
    ``search/lookup/`` (off when ``search.enabled`` is false)."""

    name = "search"
    title = "Pagefind search index"
    media_types = ("application/wasm", "text/javascript", "text/css", "application/octet-stream", "application/json")
    order = base.LAST

    def write(self, site: Site, out: Path) -> list[str]:
        """Index the pages in ``out`` (in one bundle or several) and write the lookup; return the files."""
        files = site.index(out)
        mark = len(files.written)
        pages = indexed_pages_of(site)
        count = site.config.search.bundles or default_bundles(len(pages))
        progress.expect(len(pages))
        if not pages:  # nothing is public (the last record expired or was withdrawn): the site must still be rebuilt
            log.warning("search pages=0: no subject or record page to index; the search page finds nothing")
            write_lookup(site, files)
            write_small(files, FOLDER + BUNDLES, b"[]\n")
            return [f"{out}/{w.path}" for w in files.written[mark:]]
        with Runs(worker_count(site.config)) as runs:
            others = index_bundles(files, pages, count, taken_over(files, pages), runs)
            write_lookup(site, files)  # while the last Pagefind runs go on
        write_small(files, FOLDER + BUNDLES, (json.dumps(others) + "\n").encode("utf-8"))
        return [f"{out}/{w.path}" for w in files.written[mark:]]


def default_bundles(pages: int) -> int:
    """The bundles ``pages`` indexed pages go to when ``[search] bundles`` is 0: one per :data:`PAGES_PER_BUNDLE`
    pages, at least one and at most :data:`MAX_BUNDLES`."""
    return min(MAX_BUNDLES, max(1, -(-pages // PAGES_PER_BUNDLE)))


def indexed_pages_of(site: Site) -> list[str]:
    """Site paths of the pages this build indexes, from the store: every subject's page, and every record's page if
    ``[search] index_records`` (a record no longer public is not in the store: its notice is not indexed)."""
    if not site.writes("pages"):
        return []
    pages = [f"subject/{key}/index.html" for key in site.store.subject_keys()]
    if site.config.search.index_records:
        pages += [f"record/{item.id}/{record_id}/index.html" for item in site.catalogue.items
                  for record_id, _ in site.store.record_versions(item.id)]
    return sorted(pages)


def indexed_pages(site_dir: Path, records: bool) -> list[str]:
    """Site paths of the pages with a search body in a built folder: every subject page, and every record page if
    ``records`` (for indexing a folder outside a build, as the tests do)."""
    pages = [f"subject/{p.name}/index.html" for p in _folders(site_dir / "subject")]
    if records:
        pages += [f"record/{item.name}/{p.name}/index.html" for item in _folders(site_dir / "record") for p in _folders(item)]
    return sorted(page for page in pages if (site_dir / page).is_file())


def _folders(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.is_dir()) if path.is_dir() else []


def shard_of(page: str, count: int) -> int:
    """The bundle a page goes to: its path's hash modulo ``count`` (the same page, the same bundle)."""
    return int.from_bytes(hashlib.sha256(page.encode("utf-8")).digest()[:8], "big") % count


def bundle_folder(number: int) -> str:
    """The site folder of bundle ``number`` (from 0): ``pagefind/``, ``pagefind/2/``, …"""
    return FOLDER if number == 0 else f"{FOLDER}{number + 1}/"


def taken_over(files: FileIndex, pages: list[str]) -> dict[str, bool] | None:
    """For each of ``pages`` written so far: whether it was taken over unrendered from the previous build (``None``
    when this build takes nothing over)."""
    if files.previous is None:
        return None
    wanted = set(pages)
    return {w.path: w.reused for w in files.written if w.path in wanted}


def index_shards(site_dir: Path, pages: list[str], count: int) -> list[str]:
    """Index ``pages`` of a built folder in ``count`` bundles, taking nothing over; the site paths of all but the first."""
    with Runs(1) as runs:
        return index_bundles(FileIndex(site_dir, ""), pages, count, None, runs)


def index_bundles(files: FileIndex, pages: list[str], count: int, taken: dict[str, bool] | None, runs: Runs) -> list[str]:
    """Index ``pages`` in ``count`` bundles (an empty share makes none), each taken over from the previous build when
    its fingerprint is unchanged, the others by Pagefind runs started in ``runs`` (finished when it closes); the site
    paths of all but the first.

    ``taken`` says which pages were taken over unrendered (see :func:`taken_over`).
    """
    if not pages:
        raise BuildError("Search index: there is no subject or record page to index")
    shares: list[list[str]] = [[] for _ in range(count)]
    for page in pages:
        shares[shard_of(page, count)].append(page)
    shares = [share for share in shares if share]
    previous: dict[str, list[tuple[str, str]]] = {}
    for path, mark in files.previous_files(FOLDER):
        rest = path.removeprefix(FOLDER)
        head, _, tail = rest.partition("/")
        if rest != BUNDLES:
            previous.setdefault(f"{FOLDER}{head}/" if tail and head.isdigit() else FOLDER, []).append((path, mark))
    for number, share in enumerate(shares):
        bundle = Bundle(files, bundle_folder(number), share, previous.get(bundle_folder(number), []), taken)
        if bundle.taken_over():
            log.info("search bundle=%s pages=%d pagefind=no (taken over)", bundle.folder, len(share))
            progress.advance(len(share))
        else:
            runs.start(bundle)
    return [bundle_folder(number) for number in range(1, len(shares))]


class Bundle:
    """One bundle of the search index: its folder in the site, its pages, and its files in the previous build."""

    def __init__(self, files: FileIndex, folder: str, pages: list[str], previous: list[tuple[str, str]],
                 taken: dict[str, bool] | None) -> None:
        self.files, self.folder, self.pages, self.taken = files, folder, pages, taken
        self.previous_paths = [path for path, _ in previous]
        marks = {mark for _, mark in previous}
        self.previous_mark = marks.pop() if len(marks) == 1 else ""
        self.mark = ""
        self.compact: dict[str, bytes] = {}
        self.whole: list[str] = []

    def taken_over(self) -> bool:
        """Take the previous build's files of this bundle over if Pagefind would read what it read then."""
        paths_mark = bundle_fingerprint(self.folder, self.pages, None)
        if (self.taken is not None and self.previous_mark.startswith(paths_mark)
                and all(self.unchanged(page) for page in self.pages) and self.take(self.previous_mark)):
            return True
        for page in self.pages:
            self.read(page)
        self.mark = bundle_fingerprint(self.folder, self.pages, self.compact)
        return self.mark == self.previous_mark and self.take(self.mark)

    def take(self, mark: str) -> bool:
        """Take all of the previous build's files of this bundle over."""
        return bool(self.previous_paths) and self.files.take_all(self.previous_paths, mark)

    def read(self, page: str) -> bytes:
        """What Pagefind reads of ``page`` in this build (kept for the run)."""
        if page not in self.compact:
            data = read_file(f"{self.files.out}/{page}")  # 100,000 pages: system calls, not a Path each
            compact = compact_page(data, page)
            if compact is None:
                self.whole.append(page)
            self.compact[page] = data if compact is None else compact
        return self.compact[page]

    def unchanged(self, page: str) -> bool:
        """Whether Pagefind reads of ``page`` what it read in the previous build: a page taken over unrendered is the
        previous build's page; one rendered again is compared with the previous build's."""
        taken = self.taken.get(page) if self.taken is not None else None
        if taken is not False or self.files.previous is None:
            return taken is True  # taken over, or (None) not written by this build: nothing to compare with
        try:
            before = (self.files.previous.site / page).read_bytes()
            old = compact_page(before, page)
        except (OSError, BuildError):
            return False
        return (before if old is None else old) == self.read(page)

    def let_go(self) -> None:
        """Let go of the compact pages once they are sent (saying which were sent whole)."""
        if self.whole:
            log.warning("search whole_pages=%d first=%s reason=%s", len(self.whole), self.whole[0],
                        "an <h1>, <img> or data-pagefind-* attribute outside the data-pagefind-body element")
        self.compact = {}

    def adopt(self, bundle: Path) -> None:
        """Move the files of the finished bundle ``bundle`` into the site, in path order."""
        for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
            self.files.adopt(self.folder + path.relative_to(bundle).as_posix(), path, self.mark)


class Runs:
    """Pagefind runs, up to ``processes`` at a time, finished (checked, made reproducible, moved into the site) in the
    order they were started; their temporary folders, beside the site, are removed by a thread meanwhile."""

    def __init__(self, processes: int) -> None:
        self.processes = max(1, processes)
        self.running: list[tuple[Bundle, Path, Service, float]] = []
        self.removals = ThreadPoolExecutor(1, thread_name_prefix="search-cleanup")

    def __enter__(self) -> Runs:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            if kind is None:
                while self.running:
                    self.finish()
        finally:
            for _bundle, target, service, _begun in self.running:
                service.kill()
                self.remove(target)
            self.removals.shutdown(wait=True)

    def start(self, bundle: Bundle) -> None:
        """Start Pagefind over the bundle's compact pages (once a run is free)."""
        while len(self.running) >= self.processes:
            self.finish()
        begun = time.perf_counter()
        target = Path(tempfile.mkdtemp(prefix=".search-index-", dir=bundle.files.out.parent))
        try:
            service = Service.over(target / "bundle", ((page, bundle.compact[page]) for page in sorted(bundle.pages)))
            bundle.let_go()
        except BaseException:
            self.remove(target)
            raise
        self.running.append((bundle, target, service, begun))

    def finish(self) -> None:
        """Wait for the oldest run, check its bundle and move it into the site."""
        bundle, target, service, begun = self.running.pop(0)
        try:
            service.finish()
            make_reproducible(target / "bundle")
            bundle.adopt(target / "bundle")
        finally:
            self.remove(target)
        log.info("search bundle=%s pages=%d pagefind=yes seconds=%.2f", bundle.folder, len(bundle.pages),
                 time.perf_counter() - begun)
        progress.advance(len(bundle.pages))

    def remove(self, *folders: Path) -> None:
        for folder in folders:
            self.removals.submit(shutil.rmtree, folder, ignore_errors=True)


class Service:
    """One Pagefind index built by ``pagefind_extended --service``, its pages given one by one, writing ``bundle``.

    Pagefind numbers pages in the order it reads them. Over a folder (``--site``) that is the order in which the file
    system lists it, which differs between file systems and machines (on ext4 it follows a hash seeded per file
    system); the service takes its messages one at a time, in the order sent, so pages sent in path order give the
    same bundle everywhere. Messages are written without waiting for their answers (Pagefind's Python API waits
    for each); the answers are read at the end, and an error in any of them stops the build. The bundle's files come
    back in the last answer and are written here: the service's own writing is not finished when it answers, and it
    exits the moment its input closes.
    """

    def __init__(self, bundle: Path) -> None:
        self.bundle = bundle
        self.sent = 0
        binary = str(pagefind_binary())
        self.errors = tempfile.TemporaryFile()
        try:
            self.process = subprocess.Popen([binary, "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=self.errors)
        except BaseException:
            self.errors.close()
            raise
        self._send({"type": "NewIndex", "config": None})

    @classmethod
    def over(cls, bundle: Path, pages: Iterable[tuple[str, bytes]]) -> Service:
        """A service given ``pages`` (site path, content) in the order given and asked for the bundle's files; call
        :meth:`finish` to have them written. Stopped at once if giving them fails."""
        service = cls(bundle)
        try:
            for page, content in pages:
                service.add(page, content)
            service.write()
        except BaseException:
            service.kill()
            raise
        return service

    def _send(self, payload: dict[str, Any]) -> None:
        message = json.dumps({"message_id": self.sent, "payload": payload}, ensure_ascii=False)
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(base64.b64encode(message.encode("utf-8", "surrogatepass")) + b",")
        except BrokenPipeError as exc:
            raise BuildError(f"Search index: pagefind stopped while reading the pages: {self._stderr()}") from exc
        self.sent += 1

    def add(self, page: str, content: bytes) -> None:
        """Index the page at site path ``page`` (its URL as Pagefind makes it from the path)."""
        self._send({"type": "AddFile", "index_id": 0, "file_path": page, "url": None,
                    "file_contents": content.decode("utf-8", "replace")})

    def write(self) -> None:
        """Ask for the bundle's files (the last message)."""
        self._send({"type": "GetFiles", "index_id": 0})
        assert self.process.stdin is not None
        try:
            self.process.stdin.flush()
        except BrokenPipeError as exc:
            raise BuildError(f"Search index: pagefind stopped while reading the pages: {self._stderr()}") from exc

    def finish(self) -> None:
        """Read every answer, end the service (it exits when its input closes), write the bundle and check it."""
        last = self.sent - 1
        problems: list[str] = []
        files: list[tuple[str, bytes]] | None = None
        assert self.process.stdout is not None and self.process.stdin is not None
        try:
            pending, start = bytearray(), 0
            while files is None:
                chunk = os.read(self.process.stdout.fileno(), 1 << 16)
                if not chunk:
                    break
                pending += chunk
                end = pending.find(b",", start)
                while end >= 0 and files is None:
                    answer = bytes(pending[:end])
                    del pending[:end + 1]
                    files = self._answer(answer, last, problems)
                    end = pending.find(b",")
                start = len(pending)
        finally:
            try:
                self.process.stdin.close()
            except BrokenPipeError:
                pass
            self.process.wait()
            self.process.stdout.close()
        stderr = self._stderr()
        self.errors.close()
        if problems:
            raise BuildError(f"Search index: pagefind failed: {problems[0]}"
                             + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
        if files is None:
            raise BuildError(f"Search index: pagefind failed (exit {self.process.returncode}): {stderr.strip()[-2000:]}")
        for name, content in files:
            path = self.bundle / name
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
            except OSError as exc:
                raise BuildError(f"Search index: cannot write {name} ({exc.strerror or exc}; disk full?)") from exc
        check_bundle(self.bundle, stderr)

    @staticmethod
    def _answer(answer: bytes, last: int, problems: list[str]) -> list[tuple[str, bytes]] | None:
        """Note an answer's error in ``problems``; the bundle's files (path, content) if it is the last answer."""
        try:
            response = json.loads(base64.b64decode(answer))
            payload = response["payload"]
            if payload.get("type") == "Error":
                problems.append(str(payload.get("message", payload))[:500])
                return [] if response.get("message_id") == last else None
            if response.get("message_id") != last:
                return None
            files = [(str(f["path"]), base64.b64decode(f["content"])) for f in payload["files"]]
        except (ValueError, TypeError, KeyError, AttributeError):
            problems.append(f"an answer it could not read: {answer[:200]!r}")
            return None
        for name, _ in files:
            if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
                problems.append(f"a file outside its bundle: {name[:200]}")
                return []
        return files

    def kill(self) -> None:
        """Stop the service at once (the build is stopping)."""
        self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                try:
                    stream.close()
                except BrokenPipeError:
                    pass
        self.errors.close()

    def _stderr(self) -> str:
        try:
            self.errors.seek(0)
            return self.errors.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""


def pagefind_version() -> str:
    """The version of the Pagefind binary package (a new Pagefind indexes every bundle again)."""
    try:
        return importlib.metadata.version("pagefind_bin_extended")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def bundle_fingerprint(folder: str, pages: list[str], compact: dict[str, bytes] | None) -> str:
    """The fingerprint of a bundle's files: what its Pagefind run is made of.

    Two SHA-256 digests: of the Pagefind version and options, the bundle's folder and its pages' paths; then (with
    ``compact``) of the bytes Pagefind reads of each page, by path. Without ``compact``, the first alone (a prefix of
    the whole fingerprint).
    """
    head = hashlib.sha256("\0".join([pagefind_version(), *_OPTIONS, folder, *pages]).encode("utf-8", "surrogatepass"))
    if compact is None:
        return head.hexdigest() + "-"
    digest = hashlib.sha256()
    for page in pages:
        data = compact[page]
        digest.update(page.encode("utf-8", "surrogatepass") + b"\0" + str(len(data)).encode() + b"\0" + data)
    return f"{head.hexdigest()}-{digest.hexdigest()}"


def index_site(site_dir: Path) -> None:
    """Pagefind over the whole pages of ``site_dir`` (every HTML file, in path order, as a folder run reads them) into
    ``site_dir/pagefind``, in one bundle (the reference the compact pages must give byte for byte; the build itself
    uses :func:`index_bundles`)."""
    bundle = site_dir / "pagefind"
    paths = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html"))
    Service.over(bundle, ((path, (site_dir / path).read_bytes()) for path in paths if not path.startswith(FOLDER))).finish()
    make_reproducible(bundle)
    log.info("search index=%s", bundle)


def check_bundle(bundle: Path, stderr: str = "") -> None:
    """Pagefind exits 0 even when it could not write (disk full): its entry file must be there and parse."""
    entry_path = bundle / "pagefind-entry.json"
    errors = [line.strip() for line in stderr.splitlines() if "error" in line.lower()]
    hint = f" ({errors[0][:300]})" if errors else ""
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BuildError(f"Search index: Pagefind wrote no {entry_path.name} (disk full?){hint}") from exc
    except (OSError, ValueError) as exc:
        raise BuildError(f"Search index: {entry_path.name} is empty or unreadable (disk full?){hint}") from exc
    languages = entry.get("languages") if isinstance(entry, dict) else None
    if not isinstance(languages, dict) or not languages:
        raise BuildError(f"Search index: {entry_path.name} names no index (disk full?){hint}")
    for info in languages.values():
        meta = bundle / f"pagefind.{info.get('hash') if isinstance(info, dict) else ''}.pf_meta"
        if not meta.is_file() or meta.stat().st_size == 0:
            raise BuildError(f"Search index: {meta.name} is missing or empty (disk full?){hint}")


def _read(path: Path) -> object:
    try:
        data = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as exc:
        raise BuildError(f"Search index: {path.name} is truncated or unreadable (disk full?)") from exc
    if not data.startswith(_MAGIC):
        raise BuildError(f"Search index: {path.name} is not a Pagefind index file")
    return cbor2.loads(data[len(_MAGIC):])


def _write(folder: Path, prefix: str, suffix: str, value: object, digits: int) -> str:
    """Write a Pagefind index file named by the hash of its content; return the name without suffix."""
    data = gzip.compress(_MAGIC + cbor2.dumps(value), mtime=0)
    name = f"{prefix}_{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{name}{suffix}").write_bytes(data)
    return name


def make_reproducible(bundle: Path) -> None:
    """Rewrite the filter indexes, the metadata index and the entry file in a deterministic order."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        assert isinstance(meta, list) and len(meta) > 3, "unexpected Pagefind metadata layout"
        renamed = []
        for name, old in meta[3]:
            old_path = bundle / "filter" / f"{old}.pf_filter"
            content: Any = _read(old_path)
            filter_name, values = content
            canonical = [filter_name, sorted([value, sorted(pages)] for value, pages in values)]
            old_path.unlink()
            renamed.append([name, _write(bundle / "filter", language, ".pf_filter", canonical, 7)])
        meta[3] = sorted(renamed)
        meta_path.unlink()
        info["hash"] = _write(bundle, f"pagefind.{language}", ".pf_meta", meta, 13).removeprefix("pagefind.")
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
