"""Reaching the sampled households: credentials, request letters (PDF and the print contractor's CSV), the notifier.

- `credentials`: login IDs (check digit), access keys, and how keys are hashed and verified
- `letters`: the request letters as one printable PDF per batch, and the contractor's CSV (no Django)
- `notifier`: e-mail, SMS and inbox backends and the text of a request or reminder

The writes (issuing keys, queueing and delivering messages) are actions: `chiiki.surveys.actions`.
"""
