"""Where carevoice keeps its data when nothing is configured: a SQLite file under ``var/``.

Apart from ``storage.db`` so that reading settings does not import the database layer (commands
such as ``carevoice flows check`` must start fast).
"""

DEFAULT_URL = "sqlite:///var/carevoice.db"
