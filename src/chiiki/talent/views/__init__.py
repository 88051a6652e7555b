"""Pages of the talent bank, one module per sub-domain: profiles (search, a profile, endorsing), needs (browsing,
posting, the candidate list), introductions, the person's own data (`me`), organizations (registering,
their page, verification by a municipality) and the regional dashboard. `common` holds what every talent page
shares and what the apps built on the talent bank reuse."""
