"""The Django side of answer exports: reading submitted answers for the engine, the ZIP, and the staff pages.

- `records`: the export plan of a survey and its submitted answers, read in chunks for the engine
- `files`: one export written as a ZIP into the default storage (what the task does)
- `views`: the staff page that asks for exports, lists them and serves the finished files

The engine itself is Django-free (`chiiki.surveys.export`); requesting an export and the folder export of
`chiiki survey export` are actions (`chiiki.surveys.actions.exports`), the job runs in `chiiki.surveys.tasks`.
"""
