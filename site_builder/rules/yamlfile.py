"""Reading the YAML files a site owns (catalogue items, ``common.yaml``, disclosure profiles).

Two things plain ``yaml.safe_load`` does silently are refused or left to the reader of the key:

- a mapping that gives one key twice (two ``periods:`` at the top of a profile) kept the last one only, so the rule
  written first was dropped without a word: it is refused, naming the file, both lines and the key;
- a date that is no day (``until: 2023-02-30``) stopped loading with a bare ``ValueError``: it is kept as the text
  written, so the loader of that key refuses it with its name (``period.versions[0].until: … is not a date``).
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from site_builder.exceptions import CatalogueError

_MERGE = "tag:yaml.org,2002:merge"


class DuplicateKeyError(CatalogueError):
    """A mapping of a site's YAML file gives one key twice."""


class _SiteLoader(yaml.SafeLoader):
    """``SafeLoader`` that refuses a key given twice in one mapping and keeps an impossible date as text."""

    path: Path | None = None

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        first: dict[Any, Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE or not isinstance(key_node, ScalarNode):
                continue  # ``<<`` merges are YAML's own way to override; complex keys are refused by the base loader
            key = self.construct_object(key_node, deep=True)
            try:
                earlier = first.setdefault(key, key_node)
            except TypeError:
                continue
            if earlier is not key_node:
                where = f"{self.path}: " if self.path else ""
                raise DuplicateKeyError(
                    f"{where}line {key_node.start_mark.line + 1}: {key}: the key is given twice in one mapping (first on "
                    f"line {earlier.start_mark.line + 1}); YAML would keep only the last one, silently dropping the "
                    "other: write it once")
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        """A date, or the text written where it names no day (``2023-02-30``) for the key's reader to refuse."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_SiteLoader.add_constructor("tag:yaml.org,2002:timestamp", _SiteLoader.construct_yaml_timestamp)


def load_yaml(text: str, path: Path | None = None) -> Any:
    """Parse ``text`` (the content of ``path``) as YAML; raise :class:`DuplicateKeyError` naming the file, line and
    key where a mapping gives a key twice, and ``yaml.YAMLError`` where the text is no YAML."""
    loader = _SiteLoader(text)
    loader.path = path
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def unknown_key(key: Any, known: Collection[str], what: str = "key") -> str:
    """``unknown key``, with the known keys closest to ``key`` (``requried`` → ``did you mean required?``)."""
    close = difflib.get_close_matches(str(key), sorted(known), n=2, cutoff=0.6)
    if close:
        return f"unknown {what} (did you mean {' or '.join(close)}?)"
    return f"unknown {what}" + (f" (the {what}s: {', '.join(sorted(known))})" if len(known) <= 8 else "")
