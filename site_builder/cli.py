"""The command line: a thin layer over the library. Library errors become one clear message and exit 1."""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
import sys
from collections.abc import Callable
from concurrent.futures import BrokenExecutor
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from site_builder import __version__
from site_builder.audit.layout import AuditFolder, BuildRecord
from site_builder.config import CONFIG_FILE, Config, load_config
from site_builder.exceptions import AuditError, ConfigError, InputError, SiteBuilderError

if TYPE_CHECKING:
    from site_builder.rules.privacy import SecretPlace

F = TypeVar("F", bound=Callable[..., Any])


def today(config: Config) -> date:
    """Today's date in the configured time zone (Asia/Shanghai by default)."""
    return datetime.now(ZoneInfo(config.disclosure.timezone)).date()


def _errors_to_exit(func: F) -> F:
    """Turn library errors into a message on stderr and exit code 1 (a traceback with --debug).

    An operating-system error the library did not expect (a file vanished, a folder is read-only)
    becomes one line naming the file too, rather than a traceback.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (SiteBuilderError, OSError, BrokenExecutor) as exc:
            if click.get_current_context().find_root().params.get("debug"):
                raise
            if isinstance(exc, OSError):
                raise click.ClickException(f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc)) from exc
            if isinstance(exc, BrokenExecutor):  # a worker process killed (out of memory?) outside a build: verify
                raise click.ClickException(f"A worker process stopped unexpectedly ({exc})") from exc
            raise click.ClickException(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


@click.group()
@click.version_option(__version__, prog_name="site-builder")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Configuration file (default: ./site_builder.toml, else the built-in defaults, paths relative to the "
              "current folder).")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None, debug: bool, quiet: bool) -> None:
    """site-builder: publish public credit information as a static site and open data."""
    logging.basicConfig(
        level=logging.WARNING if quiet else logging.INFO, stream=sys.stderr,
        format="%(levelname)s %(name)s %(message)s",
    )
    ctx.obj = config_path


def _config(ctx: click.Context) -> Config:
    """The configuration (``--config``, else ./site_builder.toml, else the defaults), its time zone checked."""
    config = load_config(ctx.obj)
    zone = config.disclosure.timezone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        path = ctx.obj or Path.cwd() / CONFIG_FILE
        raise ConfigError(f"Config file '{path}' is invalid: Config value 'disclosure.timezone': unknown time zone {zone!r} "
                          "(an IANA name such as 'Asia/Shanghai')") from exc
    return config


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z", re.ASCII)


def _as_of(value: str | None, config: Config, site: bool = False, hint: str = "--as-of") -> date:
    """The date of ``--as-of`` (today if not given); ``site``: a date a site can be built for (its zip downloads
    carry it: 1980-01-01 to 2107-12-31), checked before anything is read or written."""
    if value is None:
        day = today(config)
    else:
        try:  # Python 3.11's fromisoformat also takes 20261201 and 2026-W49: a typo must not pass as a date
            if not _ISO_DATE.match(value):
                raise ValueError(value)
            day = date.fromisoformat(value)
        except ValueError as exc:
            raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD", param_hint=hint) from exc
    if site:
        from site_builder.outputs.downloads import zip_date_problem

        problem = zip_date_problem(day)
        if problem:
            raise click.ClickException(f"{hint} {problem}")
    return day


@main.command()
@click.option("--records", type=click.Path(path_type=Path, file_okay=False), help="Records directory.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), help="Output folder (replaced whole).")
@click.option("--audit", type=click.Path(path_type=Path, file_okay=False), help="Private audit folder.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Date the site speaks for (default: today, Asia/Shanghai).")
@click.option("--profile", help="Disclosure profile (default: from the configuration).")
@click.option("--no-search", is_flag=True, help="Skip the Pagefind index.")
@click.option("--source", metavar="URL", help="Database to read instead of the records directory: sqlite:///path.db, "
              "postgresql+psycopg://user@host/db or env:NAME (password from sources.password_env/_file).")
@click.option("--new-chain", is_flag=True,
              help="Start a new audit chain although the output carries one the audit folder lacks (recorded in the chain).")
@click.option("--full", is_flag=True, help="Render every page again instead of taking unchanged ones over from the "
              "previous build (the site is the same either way).")
@click.option("--earlier", is_flag=True, help="Build for a date before the last build's (refused otherwise: it publishes "
              "again what expired or was withdrawn since).")
@click.option("--future", is_flag=True, help="Build for a date after tomorrow (refused otherwise: a typo in the year would "
              "withdraw early every record that ends before it).")
@click.option("--allow-empty", "allow_empty", metavar="ITEM", multiple=True,
              help="Let ITEM have no rows although the live site publishes some of its records (refused otherwise: "
              "a lost file or table would withdraw them all); repeatable.")
@click.option("--allow-missing", "allow_missing", metavar="ITEM.FIELD", multiple=True,
              help="Let ITEM's records be decided without FIELD, a column that decides publication, although the live "
              "site's build read it (refused otherwise: a lost column would publish what it withholds); repeatable.")
@click.option("--change-profile", "change_profile", is_flag=True,
              help="Build with another disclosure profile than the live site's (refused otherwise: the site would "
              "publish and withdraw by other rules without a word).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors, no progress bars (as site-builder -q build).")
@click.pass_context
@_errors_to_exit
def build(ctx: click.Context, records: Path | None, out: Path | None, audit: Path | None,
          as_of: str | None, profile: str | None, no_search: bool, new_chain: bool, source: str | None,
          full: bool, earlier: bool, future: bool, allow_empty: tuple[str, ...], allow_missing: tuple[str, ...],
          change_profile: bool, quiet: bool) -> None:
    """Build the site and data package from the records directory.

    The output must be empty, new, or a site this tool built; it becomes a link to the new build.
    Each stage logs one line with its time (stage=decide seconds=…); progress bars are drawn only
    when stderr is a terminal and --quiet is not given."""
    from site_builder.build import build as run_build
    from site_builder.sources.database import with_source

    config = with_source(_config(ctx).with_paths(records=records, output=out, audit=audit), source)
    if profile:
        config = dataclasses.replace(config, disclosure=dataclasses.replace(config.disclosure, profile=profile))
    if no_search:
        config = dataclasses.replace(config, search=dataclasses.replace(config.search, enabled=False))
    day = _as_of(as_of, config, site=True)
    now = today(config)
    if (day - now).days > 1 and not future:
        raise click.ClickException(
            f"--as-of {day} is after tomorrow (today is {now} in {config.disclosure.timezone}): a site for a later date "
            "withdraws now every record whose period ends before it, and publishes early those not yet started. To "
            "build it on purpose, pass --future")
    quiet = quiet or bool(ctx.find_root().params.get("quiet"))
    if quiet:
        logging.getLogger().setLevel(logging.WARNING)
    if day < now:  # legitimate (a back-fill after a CI outage), but the site goes live now, not on its date
        logging.getLogger("site_builder.build").info(
            "as_of=%s before today=%s: this build goes live today; explain answers for the days up to today from the "
            "site live then, not from this build", day, now)
    bars = None if quiet or not sys.stderr.isatty() else sys.stderr
    result = run_build(config, day, new_chain=new_chain, progress=bars, full=full, earlier=earlier,
                       allow_empty=frozenset(allow_empty), allow_missing=frozenset(allow_missing),
                       change_profile=change_profile)
    counts = result.counts
    excluded = counts.excluded_totals()
    click.echo(
        f"Built {result.output} as of {day}: {sum(s.rows for s in result.sources)} rows, "
        f"{sum(counts.published.values())} published, {sum(excluded.values())} excluded {excluded}, "
        f"{sum(counts.quarantined.values())} quarantined (report: {BuildRecord(result.audit).quarantine})"
        + (f"; {result.reused} unchanged files taken over from the previous build" if result.reused else "")
    )


@main.command()
@click.argument("out", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--records", type=click.Path(path_type=Path, file_okay=False),
              help="Records whose withheld values and raw ID numbers to scan for (default: configured).")
@click.option("--audit", type=click.Path(path_type=Path, file_okay=False), help="Audit folder to check the chain against.")
@click.option("--source", metavar="URL", help="Database to read instead of the records directory: sqlite:///path.db, "
              "postgresql+psycopg://user@host/db or env:NAME (password from sources.password_env/_file).")
@click.option("--no-data", is_flag=True, help="Skip validating the data package (faster).")
@click.option("--no-leak-scan", is_flag=True, help="Skip the scan for withheld values (it needs the records: a deployed "
              "copy checked by a third party, say); the output then says the scan was not made.")
@click.option("--public-key", type=click.Path(path_type=Path, dir_okay=False),
              help="Public key the site must be signed with (default: signing.public_key of the configuration).")
@click.pass_context
@_errors_to_exit
def verify(ctx: click.Context, out: Path | None, records: Path | None, audit: Path | None, no_data: bool,
           no_leak_scan: bool, public_key: Path | None, source: str | None) -> None:
    """Check a built site: symlinks, output hashes, manifest chain, signature, freshness against the
    audit history, data package, leaks. Exit 0 only if all hold.

    With --audit the folder must hold the audit chain and the site's head must be its head."""
    from site_builder.audit.history import read_chain
    from site_builder.audit.signing import fingerprint, load_public_key
    from site_builder.audit.verify import (
        download_values,
        journal_check,
        leak_sources,
        published_whole,
        read_signature,
        unhashed_builds,
        verify_site,
    )
    from site_builder.inputs import input_secrets, load_inputs
    from site_builder.outputs.parallel import worker_count
    from site_builder.sources.database import with_source

    config = with_source(_config(ctx).with_paths(records=records, output=out, audit=audit), source)
    audit_root = config.paths.audit if audit is not None or AuditFolder(config.paths.audit).chain.exists() else None
    key_path = public_key.resolve() if public_key else config.signing.public_key
    key = load_public_key(key_path) if key_path else None
    try:  # loaded once: the catalogue's and the profile's warnings are said once per run
        inputs = None if no_leak_scan else load_inputs(config)
        secrets = None if inputs is None else input_secrets(config, inputs)
    except InputError as exc:
        raise InputError(f"{exc} (the leak scan reads the records; to verify a site without them, pass --no-leak-scan)") from exc

    def locate(values: frozenset[str]) -> dict[str, list[SecretPlace]]:  # asked only when a leak is found
        found = inputs or load_inputs(config)
        return leak_sources(found.catalogue, found.sources, values)

    def holders(values: frozenset[str]) -> dict[str, str]:  # asked only when a leak is found
        return published_whole(download_values(config.paths.output), values)

    problems = verify_site(config.paths.output, secrets, audit_root, validate_data=not no_data, public_key=key,
                           processes=worker_count(config), locate=locate, holders=holders)
    for problem in problems:
        click.echo(f"FAIL {problem}", err=True)
    if problems:
        raise click.ClickException(f"{config.paths.output}: {len(problems)} problem(s)")
    envelope = read_signature(config.paths.output) or {}
    signer = str(envelope.get("key") or (fingerprint(key) if key else ""))  # checked: the given key or one it handed over to
    endorsed = f"; endorsed by the given key {fingerprint(key)} through the chain" if key and signer != fingerprint(key) else ""
    signed = f"signature by {signer} (built {envelope.get('built_at')}{endorsed}), " if key else _unsigned(config.paths.output)
    unhashed = unhashed_builds(audit_root) if audit_root else []
    history_note = f"; {journal_check(audit_root, read_chain(audit_root), key).summary()}" if audit_root else ""
    if unhashed:
        span = unhashed[0] if len(unhashed) == 1 else f"{unhashed[0]} … {unhashed[-1]} ({len(unhashed)} builds)"
        history_note += f"; the audit files of {span} are not hashed, made by an older version: not checked"
    click.echo(f"OK {config.paths.output}: hashes, chain{f' (head of the audit history{history_note})' if audit_root else ''}, {signed}"
               f"{'' if no_data else 'data package, '}{'no leak scan (--no-leak-scan)' if no_leak_scan else 'no leaks'}, "
               "no symlinks")


def _unsigned(out: Path) -> str:
    """What ``verify`` says of a site checked without a public key whose chain was signed until some build: signing
    dropped, by choice or by someone without the key, is said, not passed over (``--public-key`` makes it a failure)."""
    from site_builder.audit import history

    try:
        chain = history.parse_public_chain((out / history.PUBLIC_CHAIN).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return ""
    signed = [entry for entry in chain if entry.key]
    if not signed or chain[-1].key:
        return ""
    return f"UNSIGNED since the build after {signed[-1].build_id} (signed by {signed[-1].key} until then; check with --public-key), "


@main.command()
@click.argument("record_id")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Date to explain (default: today).")
@click.option("--item", help="Catalogue item, if the id is used by several.")
@click.option("--records", type=click.Path(path_type=Path, file_okay=False), help="Records directory.")
@click.option("--audit", type=click.Path(path_type=Path, file_okay=False), help="Audit folder.")
@click.option("--source", metavar="URL", help="Database to read instead of the records directory: sqlite:///path.db, "
              "postgresql+psycopg://user@host/db or env:NAME (password from sources.password_env/_file).")
@click.option("--profile", help="Disclosure profile for a date no build answers (default: the site's, from the audit "
              "history's build nearest the date; without one, the configuration's).")
@click.pass_context
@_errors_to_exit
def explain(ctx: click.Context, record_id: str, as_of: str | None, item: str | None,
            records: Path | None, audit: Path | None, source: str | None, profile: str | None) -> None:
    """Why RECORD_ID is or is not published on a date, and until when."""
    from site_builder.audit.explain import explain as run_explain
    from site_builder.rules.profiles import available_profiles
    from site_builder.sources.database import with_source

    config = with_source(_config(ctx).with_paths(records=records, audit=audit), source)
    day = _as_of(as_of, config)
    if profile is not None and profile not in available_profiles(config.profile_dirs):
        raise click.BadParameter(f"no disclosure profile {profile!r}; the profiles are "
                                 f"{', '.join(available_profiles(config.profile_dirs))}", param_hint="--profile")
    try:
        answers = run_explain(config, record_id, day, item, profile)
    except FileNotFoundError as exc:
        raise AuditError(f"{exc.filename}: missing from the audit folder {config.paths.audit}; restore it from a backup") from exc
    if not answers:
        from site_builder.audit import history
        from site_builder.audit.explain import answering_builds, journal_warning, made_days

        builds = answering_builds(history.read_chain(config.paths.audit), day, made_days(config.paths.audit))
        warning = journal_warning(config, day)
        if builds:
            raise click.ClickException(f"No record {record_id!r} in the input of the build(s) the site had on {day} "
                                       f"({', '.join(b.build_id for b in builds)}): not published that day"
                                       + (f" (warning: {warning})" if warning else ""))
        raise click.ClickException(f"No record {record_id!r} in the records or the audit history")
    for answer in answers:
        click.echo("\n".join(answer.lines()))
    from site_builder.audit.explain import NOT_PUBLIC

    if all(answer.outcome in NOT_PUBLIC for answer in answers if not answer.comparison):
        ctx.exit(1)  # no site live that day had it (no site yet, its row gone from the live build's input): not public
    if any(answer.warning for answer in answers):
        ctx.exit(1)  # the journal is missing or cut: which site was live that day is not known


@main.command()
@click.option("--key", type=click.Path(path_type=Path, dir_okay=False),
              help="Where to write the private key (default: signing.key of the configuration).")
@click.option("--public-key", type=click.Path(path_type=Path, dir_okay=False),
              help="Where to write the public key (default: signing.public_key, else KEY.pub.pem).")
@click.pass_context
@_errors_to_exit
def keygen(ctx: click.Context, key: Path | None, public_key: Path | None) -> None:
    """Make an Ed25519 key pair for signing builds (never overwrites a key)."""
    from site_builder.audit.signing import generate
    from site_builder.build import key_place_problem

    config = _config(ctx)
    private = key or config.signing.key
    if private is None:
        raise click.UsageError("Give --key PATH (or set signing.key in the configuration)")
    public = public_key or (config.signing.public_key if key is None else None) or private.with_name(private.name + ".pub.pem")
    if private.absolute() == public.absolute() or private.resolve() == public.resolve():
        raise click.UsageError(f"--key and --public-key are the same file {private}: the public key would replace the "
                               "private one")
    if problem := key_place_problem(config.paths, private):
        raise click.UsageError(problem)
    click.echo(f"Wrote {private} (keep it secret, outside the site) and {public}; fingerprint {generate(private, public)}")


@main.command()
@click.argument("out", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--today", "today_str", metavar="YYYY-MM-DD", help="Take this as today (default: today, Asia/Shanghai).")
@click.pass_context
@_errors_to_exit
def due(ctx: click.Context, out: Path | None, today_str: str | None) -> None:
    """Exit 1 if the published site is due for a rebuild: a record's period ended or one starts, or
    the site is older than publish.max_age_days."""
    import json

    config = _config(ctx).with_paths(output=out)
    day = _as_of(today_str, config, hint="--today")
    try:
        manifest = json.loads((config.paths.output / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{config.paths.output / 'manifest.json'}: cannot be read: {exc}") from exc
    change = manifest.get("next_change")
    limit = config.publish.max_age_days
    age = (day - date.fromisoformat(str(manifest.get("as_of")))).days
    if limit and age >= limit:
        raise click.ClickException(f"Rebuild due: built as of {manifest['as_of']}, {age} days old (maximum age {limit} days)")
    if change and day.isoformat() >= change:
        raise click.ClickException(f"Rebuild due: built as of {manifest['as_of']}, the published set changes on {change}")
    click.echo(f"Up to date: built as of {manifest['as_of']}; next change {change or 'none'}")


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Date the sample records are dated for (default: today, Asia/Shanghai).")
@click.option("--database", is_flag=True, help="Put the sample records into an embedded SQLite database (records.sqlite) "
              "and read it through [sources], as a platform's database would be read.")
@_errors_to_exit
def init(folder: Path, as_of: str | None, database: bool) -> None:
    """Make a new site folder FOLDER: site_builder.toml, content/, templates/ for overrides and records/
    (or records.sqlite) with sample rows. FOLDER must be new or empty; nothing is overwritten."""
    from site_builder.scaffold import DATABASE, init_site

    day = _as_of(as_of, Config(), site=True)  # the sample site is built for this date
    made = init_site(folder, day, database=database)
    records = DATABASE if database else "records/"
    click.echo(f"Made the site folder {folder}: site_builder.toml, content/, templates/, {records} "
               f"({sum(made.rows.values())} sample rows dated for {day}, one excluded and one quarantined).\n"
               f"Next: cd {folder} && site-builder build")


@main.command()
@click.argument("out", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--bind", default="127.0.0.1", show_default=True, help="Address to listen on (IPv4 or IPv6, e.g. ::1).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free port).")
@click.pass_context
@_errors_to_exit
def serve(ctx: click.Context, out: Path | None, bind: str, port: int) -> None:
    """Serve the built site locally for preview (404.html for unknown paths)."""
    from site_builder.serve import serve as run_serve

    site_dir = _config(ctx).with_paths(output=out).paths.output
    run_serve(site_dir, bind, port, announce=lambda url: click.echo(f"Serving {site_dir} at {url} (Ctrl+C to stop)"))
