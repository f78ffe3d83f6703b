"""YAML for the registry: loading that remembers lines (for FILE:LINE messages), and text edits.

A SafeLoader subclass builds LineDict / LineList (plain dict and list with the 1-based line of each
key and item) and notes keys given twice, which PyYAML would otherwise silently overwrite.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml


class LineDict(dict):
    """A mapping from the file; `line` is where it starts, line_of(key) where a key is."""

    line: int = 1
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A sequence from the file; `lines[i]` is where item i starts."""

    line: int = 1
    lines: list[int]


class _LineLoader(yaml.SafeLoader):
    duplicates: list[tuple[int, Any]]


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)  # merge keys (<<) as SafeLoader does
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, "found an unhashable key", key_node.start_mark
            ) from None
        line = key_node.start_mark.line + 1
        if key in mapping:
            loader.duplicates.append((line, key))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = line
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    items = LineList(loader.construct_object(child, deep=True) for child in node.value)
    items.line = node.start_mark.line + 1
    items.lines = [child.start_mark.line + 1 for child in node.value]
    return items


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_with_lines(text: str) -> tuple[Any, list[tuple[int, Any]]]:
    """The document's data and the (line, key) of every key given twice. Raises yaml.YAMLError."""
    loader = _LineLoader(text)
    loader.duplicates = []
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


# ---- editing the file as text: the user's comments and layout stay --------------------------------


def new_registry_text(organisation_id: str, organisation_name: str) -> str:
    return (
        "# SMA account registry (docs/registry.md)\n"
        "organisation:\n"
        f"  id: {scalar(organisation_id)}\n"
        f"  name: {scalar(organisation_name)}\n"
        "accounts:\n"
    )


def scalar(value: Any) -> str:
    """One YAML scalar, quoted when YAML would read it as something else ('06:00', 'yes')."""
    dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def _item_lines(fields: list[tuple[str, Any]], dash_column: int, key_column: int) -> list[str]:
    lines = []
    for i, (name, value) in enumerate(fields):
        lead = " " * dash_column + "- " + " " * (key_column - dash_column - 2) if i == 0 else " " * key_column
        lines.append(f"{lead}{name}: {scalar(value)}\n")
    return lines


def insert_list_item(text: str, list_key: str, fields: list[tuple[str, Any]]) -> str:
    """`text` with a mapping item added after the last item of the top-level block list `list_key`,
    in the file's own indentation. ValueError when the list is not written as a block list."""
    root = yaml.compose(text) if text.strip() else None
    found = None
    if isinstance(root, yaml.MappingNode):
        found = next(((k, v) for k, v in root.value if k.value == list_key), None)
    body = text if text.endswith("\n") or not text else text + "\n"
    if found is None:
        return body + f"{list_key}:\n" + "".join(_item_lines(fields, 2, 4))
    key, node = found
    empty_flow = isinstance(node, yaml.SequenceNode) and node.flow_style and not node.value
    if empty_flow:  # `accounts: []` becomes a block list
        body = body[: node.start_mark.index] + body[node.end_mark.index :]
    lines = body.splitlines(keepends=True)
    if empty_flow or (isinstance(node, yaml.ScalarNode) and node.value == ""):  # `accounts:` with nothing (yet)
        at = key.start_mark.line + 1
        column = key.start_mark.column
        return "".join(lines[:at] + _item_lines(fields, column + 2, column + 4) + lines[at:])
    if not isinstance(node, yaml.SequenceNode) or node.flow_style or not node.value:
        raise ValueError(f"'{list_key}' (line {key.start_mark.line + 1}) is not a block list ('- id: ...'); "
                         "add the account by editing the file")
    last = node.value[-1]
    dash_column = node.start_mark.column
    key_column = last.start_mark.column if isinstance(last, yaml.MappingNode) else dash_column + 2
    end = _last_content_line(last) + 1
    return "".join(lines[:end] + _item_lines(fields, dash_column, key_column) + lines[end:])


def _last_content_line(node: yaml.Node) -> int:
    """0-based line of a node's last character (a block's end mark can sit on a later line)."""
    if isinstance(node, yaml.MappingNode) and node.value:
        return _last_content_line(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and node.value and not node.flow_style:
        return _last_content_line(node.value[-1])
    end = node.end_mark
    return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line


def write_text_atomic(path: Path, text: str) -> None:
    """Writes through a temporary file and a rename: readers see the old file or the new one."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
