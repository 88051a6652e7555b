"""chiiki.coverage.grid: a Django-free engine for mobile coverage evidence on the JIS X 0410 grid.

- Mesh codes (`to_meshcode`, `parse_meshcode`, `parent_code`): levels 1–5 (80 km, 10 km, 1 km, 500 m, 250 m),
  exact integer arithmetic, every digit checked.
- Points (`check_point`): inside Japan, swapped latitude/longitude, inside a municipality's extent.
- Measurement logs (`read_measurements`): the documented layout and the exports of G-NetTrack Pro and
  OpenCellID, read through chiiki.tables, cleaned.
- Boundaries (`read_boundary_geojson`, `simplify_line`, `districts_at`, `diff_boundaries`): the municipality's
  outline and its districts from GeoJSON polygons.
- Roads (`read_road_geojson`): metres of road per 500 m cell from GeoJSON lines.
- The census on the grid (`parse_census_mesh`): e-Stat 地域メッシュ統計 CSV with KEY_CODE.
- Evidence (`aggregate_levels`, `aggregate_measurements`, `measurement_verdicts`, `report_counts`, `cell_status`) and
  `population_coverage` per area with `assess` against a target; targets as data (`parse_targets`,
  `diff_targets`, `pick_target`).

The modules behind it are private.
"""

from chiiki.coverage.grid._aggregate import (
    MIN_REPORTERS,
    MIN_SAMPLES,
    RSRP_USABLE,
    STATUSES,
    aggregate_levels,
    aggregate_measurements,
    assess,
    cell_keys,
    cell_status,
    keys_to_codes,
    measurement_verdicts,
    place_on_grid,
    population_coverage,
    report_counts,
)
from chiiki.coverage.grid._boundaries import (
    BoundaryFeature,
    BoundaryFileError,
    bounds_of,
    diff_boundaries,
    districts_at,
    read_boundary_geojson,
    simplify_line,
)
from chiiki.coverage.grid._census import CensusCells, CensusFileError, parse_census_mesh
from chiiki.coverage.grid._layers import (
    LayerFileError,
    polygon_cells,
    read_coverage_geojson,
    read_coverage_layer,
    read_coverage_shapefile,
)
from chiiki.coverage.grid._measurements import (
    COLUMNS as MEASUREMENT_COLUMNS,
)
from chiiki.coverage.grid._measurements import (
    CleanedMeasurements,
    MeasurementFileError,
    clean_measurements,
    drop_gps_jumps,
    read_measurements,
)
from chiiki.coverage.grid._mesh import (
    LEVEL_DIGITS,
    LEVEL_NAMES,
    MeshCell,
    MeshCodeError,
    level_of,
    meshcode_from_units,
    parent_code,
    parse_meshcode,
    to_meshcode,
)
from chiiki.coverage.grid._points import Extent, PointError, check_point, in_japan
from chiiki.coverage.grid._roads import RoadFileError, read_road_geojson
from chiiki.coverage.grid._targets import (
    NATIONAL,
    TARGET_COLUMNS,
    TargetDiff,
    TargetFileError,
    TargetRow,
    diff_targets,
    parse_targets,
    pick_target,
)
from chiiki.coverage.grid._vocab import CARRIERS, TECHNOLOGIES, normalize_carrier, normalize_technology

__all__ = [
    "CARRIERS",
    "LEVEL_DIGITS",
    "LEVEL_NAMES",
    "MEASUREMENT_COLUMNS",
    "MIN_REPORTERS",
    "MIN_SAMPLES",
    "NATIONAL",
    "RSRP_USABLE",
    "STATUSES",
    "TARGET_COLUMNS",
    "TECHNOLOGIES",
    "BoundaryFeature",
    "BoundaryFileError",
    "CensusCells",
    "CensusFileError",
    "CleanedMeasurements",
    "Extent",
    "LayerFileError",
    "MeasurementFileError",
    "MeshCell",
    "MeshCodeError",
    "PointError",
    "RoadFileError",
    "TargetDiff",
    "TargetFileError",
    "TargetRow",
    "aggregate_levels",
    "aggregate_measurements",
    "assess",
    "bounds_of",
    "cell_keys",
    "cell_status",
    "check_point",
    "clean_measurements",
    "diff_boundaries",
    "diff_targets",
    "districts_at",
    "drop_gps_jumps",
    "in_japan",
    "keys_to_codes",
    "level_of",
    "measurement_verdicts",
    "meshcode_from_units",
    "normalize_carrier",
    "normalize_technology",
    "parent_code",
    "parse_census_mesh",
    "parse_meshcode",
    "parse_targets",
    "pick_target",
    "place_on_grid",
    "polygon_cells",
    "population_coverage",
    "read_boundary_geojson",
    "read_coverage_geojson",
    "read_coverage_layer",
    "read_coverage_shapefile",
    "read_measurements",
    "read_road_geojson",
    "report_counts",
    "simplify_line",
    "to_meshcode",
]
