"""The data contract in code: enumerations, value rules, input rows and output rows.

Use these models whenever a file's shape or a value's meaning is in question; the JSON
Schemas in ``schemas/`` are generated from them and CONTRACT.md describes the same.
"""
