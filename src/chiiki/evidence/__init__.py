"""Survey evidence (seed §10): the Django side of `chiiki.estimation` for the surveys of a municipality.

`chiiki.estimation` stays Django-free (it works on Polars frames); this app reads a survey's cases, answers,
paradata and the registry at the reference date into frames (`queries`), runs weighting, estimates, the
representativeness report, the enumerator evidence and the field-work scenarios (`analysis`, Django-free),
stores the result of each run (`EvidenceRun`, a job computed by `tasks`), checks chosen tables for disclosure (`tables`) and publishes
them in the open-data catalog (`actions.publish_table`).
The demo census's simulated answers live in `chiiki.demo.census_responses`.
"""
