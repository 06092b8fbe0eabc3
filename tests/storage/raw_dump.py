"""A raw dump of a test database, for checking that nothing identifying is stored in clear."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text


def raw_dump(engine: Engine) -> str:
    """Every value of every table, as text, the way a leaked backup would show it."""
    parts: list[str] = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                parts.extend(_text(value) for value in row)
    return "\n".join(parts)


def _text(value: object) -> str:
    if isinstance(value, memoryview):
        value = bytes(value)
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)
