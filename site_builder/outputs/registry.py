"""The registry of outputs: the built-in ones and those installed plugins declare.

A plugin declares its output in the entry point group ``site_builder.outputs`` of its package
(``hello = "sb_hello:HelloOutput"``); the object named is an :class:`~site_builder.outputs.base.Output`
subclass (or instance). The site's ``[outputs]`` section chooses among them (see ``config.py``).
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

from site_builder.config import Config
from site_builder.exceptions import BuildError, ConfigError
from site_builder.outputs.base import Output
from site_builder.outputs.changes import ChangesOutput
from site_builder.outputs.datapackage import DataPackageOutput
from site_builder.outputs.discovery import FeedOutput, SitemapOutput
from site_builder.outputs.notices import NoticesOutput
from site_builder.outputs.render import PagesOutput
from site_builder.outputs.search import SearchOutput
from site_builder.outputs.subject_data import SubjectDataOutput

ENTRY_POINT_GROUP = "site_builder.outputs"
"""The entry point group through which installed packages add outputs."""
BUILTIN: tuple[type[Output], ...] = (PagesOutput, SubjectDataOutput, DataPackageOutput, ChangesOutput, FeedOutput, SitemapOutput,
                                     NoticesOutput, SearchOutput)
"""The outputs site_builder itself provides."""


def available() -> dict[str, Output]:
    """Every registered output by name, in run order: the built-in ones and the installed plugins'."""
    outputs: dict[str, Output] = {cls.name: cls() for cls in BUILTIN}
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: (p.name, p.value)):
        output = _load(point)
        if output.name in outputs:
            raise BuildError(f"Output plugin '{point.name}' ({point.value}): the name '{output.name}' is already "
                             f"taken by {type(outputs[output.name]).__module__}.{type(outputs[output.name]).__name__}")
        outputs[output.name] = output
    return dict(sorted(outputs.items(), key=lambda kv: (kv[1].order, kv[0])))


def enabled_outputs(config: Config) -> list[Output]:
    """The outputs a build of ``config`` writes, in run order; unknown names in ``[outputs]`` are config errors."""
    known = available()
    settings = config.outputs
    errors = [f"Config value 'outputs.{key}': unknown output '{name}' (known: {', '.join(known)})"
              for key in ("enabled", "disabled") for name in getattr(settings, key) if name not in known]
    if errors:
        raise ConfigError("\n".join(errors))
    return [output for name, output in known.items()
            if (not settings.enabled or name in settings.enabled) and name not in settings.disabled
            and (name != SearchOutput.name or config.search.enabled)]


def _load(point: EntryPoint) -> Output:
    """The output an entry point names, instantiated; a one-line :class:`BuildError` if it is not one."""
    where = f"Output plugin '{point.name}' ({point.value}"
    where += f", from {point.dist.name} {point.dist.version})" if point.dist is not None else ")"
    try:
        loaded = point.load()
        output = loaded() if isinstance(loaded, type) and issubclass(loaded, Output) else loaded
    except Exception as exc:  # a plugin may fail in any way on import; name it in one line
        raise BuildError(f"{where}: cannot be loaded: {type(exc).__name__}: {exc}") from exc
    if not isinstance(output, Output):
        raise BuildError(f"{where}: is not a site_builder.outputs.base.Output subclass")
    for attribute in ("name", "title", "media_types"):
        if not getattr(output, attribute, None):
            raise BuildError(f"{where}: has no {attribute}")
    return output
