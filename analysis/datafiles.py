"""Loading the data files shipped inside the package, and commissioner-supplied YAML files.

YAML is read with ruamel.yaml (YAML 1.2, so ``no`` stays a string) and validated with pydantic;
any problem becomes one ``DataFileError`` that names the file and the failing field.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from analysis.errors import DataFileError

ModelT = TypeVar("ModelT", bound=BaseModel)


def packaged_bytes(name: str) -> bytes:
    """The bytes of ``analysis/data/<name>``, wherever the package is installed."""
    return resources.files("analysis").joinpath("data", name).read_bytes()


def packaged_path(name: str) -> str:
    """The file system path of ``analysis/data/<name>`` (the package is installed as files)."""
    return str(resources.files("analysis").joinpath("data", name))


def packaged_text(name: str) -> str:
    return packaged_bytes(name).decode("utf-8")


def read_text_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(str(path), f"cannot read file ({exc})") from exc


def parse_yaml(text: str, source: str) -> Any:
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(text)
    except YAMLError as exc:
        raise DataFileError(source, f"not valid YAML: {exc}") from exc


def validate(model: type[ModelT], data: Any, source: str) -> ModelT:
    """Validate parsed YAML, reporting every problem as ``field.path: message``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"]) or "(top level)"
            lines.append(f"{where}: {error['msg']}")
        raise DataFileError(source, "; ".join(lines)) from exc


def load_yaml_model(model: type[ModelT], text: str, source: str) -> ModelT:
    return validate(model, parse_yaml(text, source), source)
