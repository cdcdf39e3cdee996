"""Reading YAML with line numbers.

PyYAML's default loader reads `yes`/`no`/`on`/`off` as booleans (YAML 1.1). In a
form file `good: no` or `equals: yes` means the words, so only `true`/`false` are
booleans here. Alongside the data we keep the line of every key and value, so a
message about `sections[2].items[4].points` can also say "line 57".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

_BOOL_TAG = "tag:yaml.org,2002:bool"


def _booleans_only_true_false(loader: type[yaml.SafeLoader]) -> None:
    loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    loader.add_implicit_resolver(
        _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
    )


class FormYamlLoader(yaml.SafeLoader):
    """SafeLoader whose booleans are only true/false."""


_booleans_only_true_false(FormYamlLoader)

# libyaml reads a form several times faster than the pure-Python parser, and start-up
# reads every built-in form (so every server start and every test's app pays for it).
# Its error messages are worded differently: a file it refuses is read again by the
# pure-Python parser, whose messages and lines are the ones users see.
_FAST_LOADER: type | None = None
if yaml.__with_libyaml__:

    class _FastFormYamlLoader(yaml.CSafeLoader):
        """FormYamlLoader's rules on libyaml's parser."""

    _booleans_only_true_false(_FastFormYamlLoader)
    _FAST_LOADER = _FastFormYamlLoader


@dataclass
class YamlDocument:
    data: object
    lines: dict[str, int] = field(default_factory=dict)  # path -> 1-based line
    duplicate_keys: list[tuple[str, int]] = field(default_factory=list)

    def line_of(self, path: str) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = _parent(path)
        return self.lines.get("")


class YamlSyntaxError(Exception):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message = message
        self.line = line


def parse_yaml(source: str) -> YamlDocument:
    """Parse one YAML document; raise YamlSyntaxError with the line on bad syntax."""
    if _FAST_LOADER is not None:
        try:
            return _parse_with(_FAST_LOADER, source)
        except YamlSyntaxError:
            pass  # the pure-Python parser words the error as users know it
    return _parse_with(FormYamlLoader, source)


def _parse_with(loader_class: type, source: str) -> YamlDocument:
    try:
        loader = loader_class(source)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or str(exc)
        raise YamlSyntaxError(f"YAML syntax error: {problem}", line) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"YAML error: {exc}", None) from None
    document = YamlDocument(data=data)
    if node is not None:
        _index(node, "", document)
    return document


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _parent(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rindex("[")]
    return path[: path.rindex(".")] if "." in path else ""


def _index(node: yaml.Node, path: str, document: YamlDocument) -> None:
    document.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = join(path, key)
            if key in seen:
                document.duplicate_keys.append((child, key_node.start_mark.line + 1))
            seen.add(key)
            document.lines[child] = key_node.start_mark.line + 1
            _index(value_node, child, document)
    elif isinstance(node, yaml.SequenceNode):
        for index, value_node in enumerate(node.value):
            _index(value_node, join(path, index), document)
