"""Fieldwork of online surveys: non-response follow-up by enumerators, reminders, the response dashboard.

It depends on the surveys app (whose paradata it reads and writes through the surveys actions), never the
other way round. The Django-free parts are `balancing` (workload-balanced assignment) and `charts` (inline SVG).
"""
