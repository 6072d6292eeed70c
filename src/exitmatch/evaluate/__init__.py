"""Measuring a run against ground truth (synthetic nights carry theirs in ``truth/``)."""
