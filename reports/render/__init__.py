"""Renderers: one report model in, one file format out. None of them computes a figure."""
