"""Staff pages to run a survey round in the browser: create it from an XLSForm, draw its households, produce
the request letters (a background job), reissue one household's key at the counter. They call the same actions
as `chiiki survey create` and `chiiki survey letters`."""
