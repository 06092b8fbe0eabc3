"""Which flows the service runs, found by id, version or start keyword.

A conversation always resumes with the exact flow text it started with (kept in the database),
so editing or re-versioning a flow never breaks a conversation under way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flows.definition import Flow
from flows.loader import bundled_ids, load_text, resolve
from flows.parsing import normalise


@dataclass(frozen=True)
class CatalogEntry:
    flow: Flow
    source: str


@dataclass
class FlowCatalog:
    entries: dict[str, CatalogEntry] = field(default_factory=dict)
    _by_source: dict[str, Flow] = field(default_factory=dict)

    @classmethod
    def load(cls, extra_dir: Path | None = None) -> FlowCatalog:
        catalog = cls()
        paths = [resolve(flow_id) for flow_id in bundled_ids()]
        if extra_dir is not None:
            paths += sorted(extra_dir.glob("*.yaml"))
        for path in paths:
            source = path.read_text(encoding="utf-8")
            catalog.add(load_text(source, str(path)), source)
        return catalog

    def add(self, flow: Flow, source: str) -> None:
        self.entries[flow.id] = CatalogEntry(flow, source)
        self._by_source[source] = flow

    def get(self, flow_id: str) -> CatalogEntry:
        try:
            return self.entries[flow_id]
        except KeyError:
            known = ", ".join(sorted(self.entries))
            raise LookupError(f"no flow {flow_id!r} (known: {known})") from None

    def resolve(self, flow: str) -> CatalogEntry:
        """A command-line FLOW: the id of a known flow, or a flow file (added to the catalog)."""
        if flow in self.entries:
            return self.entries[flow]
        path = Path(flow)
        if not path.is_file():
            return self.get(flow)  # raises LookupError naming the known flows
        source = path.read_text(encoding="utf-8")
        loaded = load_text(source, str(path))
        self.add(loaded, source)
        return self.entries[loaded.id]

    def by_keyword(self, text: str) -> CatalogEntry | None:
        wanted = normalise(text)
        for entry in self.entries.values():
            if wanted in {normalise(k) for k in entry.flow.start_keywords}:
                return entry
        return None

    def from_source(self, source: str, name: str) -> Flow:
        """The flow a stored conversation started with (parsed once, then cached)."""
        flow = self._by_source.get(source)
        if flow is None:
            flow = load_text(source, name)
            self._by_source[source] = flow
        return flow
