"""The YAML flow language and the pure conversation engine."""
