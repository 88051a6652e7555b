"""The demo municipality (緑川市, fictional) and every synthetic-data generator, kept out of the domain apps.

`chiiki demo load` calls `chiiki.demo.city.load_demo`. Each app's demo content lives in a module here named for the app; the
domain apps never import this package (an import contract in `make lint` says so). This package is a Django
app only so that its command is found; it has no models, and its `__init__` imports nothing (Django imports
it before the models are ready).
"""
