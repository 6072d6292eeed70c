"""Comparing a case identity with a travel record, field by field.

Each comparison is an ordered list of levels (missing, exact, close, ..., else); each
level is a small object that gives a polars condition over the pair frame and a label an
officer can read. Families live in their own modules: names, dates, documents,
demographics (nationality and sex).
"""
