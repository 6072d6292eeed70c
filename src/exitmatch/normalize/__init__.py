"""Normalisation: names, dates, documents and countries put into comparable forms.

Reach for this after ingestion and before blocking. Each family has its own module;
expensive encodings are computed once per distinct value and joined back to the rows.
"""
