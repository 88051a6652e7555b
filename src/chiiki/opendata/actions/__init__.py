"""Every change to the open-data catalog, by sub-domain; callers use `chiiki.opendata.actions.<name>`.

- `catalog`: datasets, resources, publishing (each change versioned, re-indexed and audited);
- `imports`: files turned into datasets (the upload page's job and `chiiki opendata import`);
- `harvests`: datasets pulled from another CKAN portal;
- `merges`: merged datasets of one kind across a prefecture or region;
- `standards`: definition books installed as new versions of the standard schemas;
- `tokens`: the CKAN API's tokens.

`_changes` (the tail of every change, storing a resource) and `_search_index` are private to this package.
"""

from chiiki.opendata.actions.catalog import (
    CatalogError,
    Link,
    add_resource,
    check_name,
    create_dataset,
    organization_for,
    publish,
    set_period,
    unpublish,
    update_dataset,
)
from chiiki.opendata.actions.harvests import accept_harvested, harvest_portal
from chiiki.opendata.actions.imports import (
    ImportOutcome,
    OtherMunicipalityError,
    confirm_other_codes,
    import_file,
    request_import,
    run_import,
)
from chiiki.opendata.actions.merges import define_merge, rebuild_merge, rebuild_merges_fed_by
from chiiki.opendata.actions.standards import BookChange, book_date, install_book, preview_book
from chiiki.opendata.actions.tokens import create_token, revoke_token, user_for_token

__all__ = [
    "BookChange",
    "CatalogError",
    "ImportOutcome",
    "Link",
    "OtherMunicipalityError",
    "accept_harvested",
    "add_resource",
    "book_date",
    "check_name",
    "confirm_other_codes",
    "create_dataset",
    "create_token",
    "define_merge",
    "harvest_portal",
    "import_file",
    "install_book",
    "organization_for",
    "preview_book",
    "publish",
    "rebuild_merge",
    "rebuild_merges_fed_by",
    "request_import",
    "revoke_token",
    "run_import",
    "set_period",
    "unpublish",
    "update_dataset",
    "user_for_token",
]
