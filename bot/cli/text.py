"""``carevoice text ...``: sentiment, safeguarding, themes and redaction from the command line.

CSV commands read FILE.csv and write it to standard output with columns added. Exit codes: 0 ok,
1 a problem the user must fix (missing file or column, unknown purpose), 2 usage.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from analysis import redact as redaction
from analysis import safeguarding, sentiment, themes
from analysis.errors import AnalysisError
from analysis.features import PURPOSES

app = typer.Typer(
    help="Understand free text: sentiment, safeguarding, themes, redaction.",
    no_args_is_help=True,
    add_completion=False,
)

FileArg = Annotated[Path, typer.Argument(help="A CSV file with a header row.")]
TextOpt = Annotated[str, typer.Option("--text-column", help="Column holding the free text.")]
Row = dict[str, str]


class UserError(Exception):
    """A problem the user must fix; reported as one line on stderr, exit 1."""


@contextmanager
def _user_errors() -> Iterator[None]:
    try:
        yield
    except (UserError, AnalysisError, ValueError, OSError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


def _read(path: Path, required: list[str]) -> tuple[list[str], list[Row]]:
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        missing = [c for c in required if c not in columns]
        if missing:
            raise UserError(f"{path}: no column {missing[0]!r} (columns: {', '.join(columns)})")
        return columns, [{k: v or "" for k, v in row.items() if k is not None} for row in reader]


def _write(columns: list[str], rows: list[Row]) -> None:
    writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def _annotate(path: Path, text_column: str, added: list[str], fill: Callable[[Row], Row]) -> None:
    columns, rows = _read(path, [text_column])
    out = [c for c in columns if c not in added] + added
    _write(out, [{**row, **fill(row)} for row in rows])


def _purpose(row: Row, column: str, line: int) -> str:
    value = row.get(column, "").strip() or "nonspecific"
    if value not in PURPOSES:
        raise UserError(f"row {line}: {column}={value!r} is not one of {', '.join(PURPOSES)}")
    return value


@app.command("sentiment")
def sentiment_command(
    file: FileArg,
    text_column: TextOpt = "text",
    question_column: Annotated[
        str, typer.Option(help="Column holding the question's purpose (absent: nonspecific).")
    ] = "question_type",
) -> None:
    """Add ``sentiment`` (positive|neutral|negative) and ``sentiment_score`` (-1..1)."""
    with _user_errors():
        columns, rows = _read(file, [text_column])
        purposes = [_purpose(row, question_column, i + 2) for i, row in enumerate(rows)]
        results = sentiment.classify_many([r[text_column] for r in rows], purposes)
        for row, result in zip(rows, results, strict=True):
            row["sentiment"], row["sentiment_score"] = result.label, f"{result.score:.4f}"
        added = ["sentiment", "sentiment_score"]
        _write([c for c in columns if c not in added] + added, rows)


@app.command("safeguarding")
def safeguarding_command(file: FileArg, text_column: TextOpt = "text") -> None:
    """Add ``safeguarding`` (yes|no) and ``safeguarding_category`` (;-separated)."""

    def fill(row: Row) -> Row:
        result = safeguarding.check(row[text_column])
        return {"safeguarding": "yes" if result.flagged else "no",
                "safeguarding_category": result.category}  # fmt: skip

    with _user_errors():
        _annotate(file, text_column, ["safeguarding", "safeguarding_category"], fill)


@app.command("themes")
def themes_command(
    file: FileArg,
    text_column: TextOpt = "text",
    themes_file: Annotated[
        Path | None, typer.Option("--themes", help="A YAML file extending the themes.")
    ] = None,
) -> None:
    """Add ``themes`` (;-separated theme ids)."""
    with _user_errors():
        chosen = themes.load_themes(themes_file) if themes_file else themes.default_themes()

        def fill(row: Row) -> Row:
            return {"themes": ";".join(themes.tag(row[text_column], chosen))}

        _annotate(file, text_column, ["themes"], fill)


@app.command("redact")
def redact_command(
    output: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Read text on standard input; print it with personal details removed."""
    if output not in ("text", "json"):
        typer.echo("error: --format must be text or json", err=True)
        raise typer.Exit(2)
    result = redaction.redact(sys.stdin.read())
    if output == "json":
        payload = {"text": result.text, "safe": result.safe, "reason": result.reason,
                   "redactions": [r.kind for r in result.redactions]}  # fmt: skip
        typer.echo(json.dumps(payload, ensure_ascii=False))
    else:
        typer.echo(result.text, nl=False)
        if not result.safe:
            typer.echo(f"\nnot safe to quote: {result.reason}", err=True)


@app.command("train")
def train_command(
    data: Annotated[Path | None, typer.Option(help="Labelled CSV (default: shared data).")] = None,
    out: Annotated[Path | None, typer.Option(help="Where to write the model.")] = None,
    cv: Annotated[bool, typer.Option("--cv/--no-cv", help="Estimate quality first.")] = True,
) -> None:
    """Retrain the sentiment model with fixed seeds (needs the ``train`` extra)."""
    from analysis import train as training

    with _user_errors():
        source = data or training.DEFAULT_DATA
        if not source.is_file():
            raise UserError(f"{source}: no such file (pass --data)")
        target = out or training.DEFAULT_OUT
        report = training.train(source, target, cv=cv)
        if report is not None:
            typer.echo(training.describe(report))
        typer.echo(f"model written to {target}")


@app.command("evaluate")
def evaluate_command(
    file: Annotated[Path, typer.Argument(help="A labelled CSV (header row) or JSON-lines file.")],
    label_column: Annotated[str, typer.Option("--label-column", help="Column of true labels.")],
    task: Annotated[str, typer.Option(help="sentiment or safeguarding")] = "sentiment",
    text_column: TextOpt = "text",
    question_column: Annotated[
        str, typer.Option(help="Column of the question's purpose (sentiment only).")
    ] = "question_type",
    output: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Precision, recall and F1 per class and a confusion matrix of the shipped models on your
    own labelled comments (sentiment: positive|neutral|negative; safeguarding: 1|0, yes|no)."""
    from analysis.evaluate import evaluate

    if task not in ("sentiment", "safeguarding") or output not in ("text", "json"):
        typer.echo("error: --task must be sentiment or safeguarding, --format text or json",
                   err=True)  # fmt: skip
        raise typer.Exit(2)
    with _user_errors():
        result = evaluate(file, label_column, task, text_column, question_column)  # type: ignore[arg-type]
        typer.echo(json.dumps(result.to_json()) if output == "json" else result.table())
