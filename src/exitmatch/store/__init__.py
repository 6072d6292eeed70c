"""The persistent case store: an embedded DuckDB file that remembers what was read,
matched and decided across nights.

``schema`` creates and migrates its tables, ``store`` opens it (one writer at a time) and
moves frames in and out.
"""
