"""Online statistical surveys (seed §10): questionnaires, samples, letters, web answering, paradata, exports.

See README.md in this folder for the app's models, actions, queries, tasks, packages and rules.
"""
