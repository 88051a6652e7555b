"""Fieldwork of online surveys: paradata of every case, non-response follow-up by enumerators, reminders, dashboard.

A separate app from `surveys` so that its tables and migrations evolve on their own. The Django-free parts are
`device` (User-Agent classifier), `balancing` (workload-balanced assignment) and `charts` (inline SVG).
"""
