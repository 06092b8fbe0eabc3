"""Reading flow files: ruamel.yaml (YAML 1.2, duplicate keys refused) → pydantic → checks.

Every problem is reported at once, as ``file:line:col: message``, so an author fixes a file in
one pass rather than one error per run.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from flows import validate, yaml_errors
from flows.definition import Flow
from flows.errors import FlowLoadError, FlowNotFoundError, Problem

LIBRARY = "library"


def load_text(source: str, filename: str = "<flow>") -> Flow:
    """Parse and validate one flow; raises ``FlowLoadError`` listing every problem."""
    document = _parse_yaml(source, filename)
    if not isinstance(document, CommentedMap):
        raise FlowLoadError([Problem(filename, 1, 1, "a flow must be a mapping of keys to values")])
    locate = _Locator(filename, document)
    try:
        flow = Flow.model_validate(_plain(document))
    except ValidationError as error:
        raise FlowLoadError([_from_pydantic(locate, e) for e in error.errors()]) from None
    issues = validate.check(flow)
    if issues:
        raise FlowLoadError([locate(path, message) for path, message in issues])
    return flow


def load_file(path: str | Path) -> Flow:
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise FlowLoadError([Problem(str(path), 1, 1, f"cannot read file: {error}")]) from None
    return load_text(source, str(path))


def bundled_ids() -> list[str]:
    """Ids of the flows that ship with carevoice."""
    folder = resources.files("flows").joinpath(LIBRARY)
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def resolve(flow: str) -> Path:
    """A command-line FLOW: a path to a file, or the id of a bundled flow."""
    candidate = Path(flow)
    if candidate.is_file():
        return candidate
    bundled = resources.files("flows").joinpath(LIBRARY, f"{flow}.yaml")
    if bundled.is_file():
        return Path(str(bundled))
    raise FlowNotFoundError(
        f"no flow file or bundled flow called {flow!r} (bundled: {', '.join(bundled_ids())})"
    )


def load(flow: str) -> Flow:
    return load_file(resolve(flow))


def _parse_yaml(source: str, filename: str) -> Any:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(source)
    except MarkedYAMLError as error:
        found = yaml_errors.explain(error, source)
        raise FlowLoadError([Problem(filename, found.line, found.col, found.message)]) from None


def _plain(node: Any) -> Any:
    """ruamel's round-trip types → plain dicts, lists and str/int/float for pydantic."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


def _from_pydantic(locate: _Locator, error: Any) -> Problem:
    loc = tuple(error["loc"])
    message = error["msg"]
    at_key = False
    if error["type"] == "missing":
        message = f"missing required field {loc[-1]!r}"
        loc = loc[:-1]
    elif error["type"] == "extra_forbidden":
        message = f"unknown field {loc[-1]!r}"
        at_key = True  # the key is the mistake, not its value
    elif error["type"] == "union_tag_invalid":
        context = error.get("ctx") or {}
        message = (
            f"unknown question type {context.get('tag')!r}; "
            f"expected one of {context.get('expected_tags')}"
        )
        loc = (*loc, "type")
    elif error["type"] == "union_tag_not_found":
        message = "missing required field 'type'"
    return locate(loc, message, at_key=at_key)


class _Locator:
    """Maps a path of keys and indexes to the line and column it came from."""

    def __init__(self, filename: str, document: CommentedMap) -> None:
        self.filename = filename
        self.document = document

    def __call__(self, path: tuple[Any, ...], message: str, *, at_key: bool = False) -> Problem:
        line, col, missing = self._position(path, at_key)
        if missing is not None and "translation" in message:
            message += f" (in the built-in {missing}: give your own)"
        return Problem(self.filename, line + 1, col + 1, message)

    def _position(self, path: tuple[Any, ...], at_key: bool) -> tuple[int, int, str | None]:
        """Line and column (0-based) of ``path``, and the first key of it the file lacks."""
        node: Any = self.document
        line, col = node.lc.line, node.lc.col
        for index, key in enumerate(path):
            if isinstance(node, CommentedMap) and key in node:
                last = index == len(path) - 1
                scalar = _is_scalar(node[key]) and not (at_key and last)
                line, col = node.lc.value(key) if scalar else node.lc.key(key)
                node = node[key]
            elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
                line, col = node.lc.item(key)
                node = node[key]
            elif isinstance(key, str) and _is_union_tag(key):
                continue  # pydantic names the union member it tried; the YAML has no such node
            else:
                return line, col, str(key)
        return line, col, None


def _is_scalar(node: Any) -> bool:
    return not isinstance(node, CommentedMap | CommentedSeq)


def _is_union_tag(key: str) -> bool:
    return key in {
        "single_choice", "multiple_choice", "yes_no", "fft", "rating", "number", "free_text",
        "info", "str", "dict[str,str]", "list[str]", "dict[str,list[str]]",
    }  # fmt: skip
