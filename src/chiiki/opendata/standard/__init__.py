"""The 自治体標準オープンデータセット as data: one Frictionless Table Schema per dataset, plus legacy.json.

This package holds no code; `chiiki.opendata.engine` reads the JSON files.
"""
