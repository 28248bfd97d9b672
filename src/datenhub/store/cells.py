"""Grid cells, so an index can answer "in this area" together with something else.

* Tokens in the full-text index: a frequent word ("Ruhr") matches most places; ranking all of them and
  filtering by bbox afterwards costs 100 ms. Indexing each place's grid cells at a few resolutions as tokens
  turns "text in this box" into one full-text AND-query, so only the (small) intersection is ranked. SQLite
  keeps them in a column of its FTS5 table, PostgreSQL in a second column of its GIN index (`hub_cells`).
* Area cells in front of the name (both backends): a map view lists a box by name from a few index ranges
  (AREA_LEVELS below) instead of sorting every place in it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from datenhub.store.query import Query, decode_cursor

LAT_SIZES = (0.01, 0.04, 0.16, 0.64)  # degrees; longitude cells are 1.6× wider (square-ish at 51.5°N)
LON_FACTOR = 1.6
MAX_CELLS = 16  # each cell is a phrase that BM25 scores on every match: more cells, dearer ranking; with broad
# listings (store.ranking) taking the large match sets, 16 measured best (text+bbox p99 on 100k places)


def _index(value: float, size: float, offset: float) -> int:
    return math.floor((value + offset) / size)


_LEVELS = [(level, size * LON_FACTOR, size) for level, size in enumerate(LAT_SIZES)]
TEXT_CELL_LEVELS = 2  # the levels PostgreSQL's words-and-cells index holds (migration 0014_text_cells)


def cell_tokens(lat: float, lon: float) -> str:
    # lon + 180 and lat + 90 are never negative, so int() floors (and is cheaper than math.floor)
    x, y = lon + 180, lat + 90
    return " ".join([f"c{level}x{int(x / width)}y{int(y / height)}" for level, width, height in _LEVELS])


def cell_tokens_sql(lat: str, lon: str, levels: int = len(LAT_SIZES)) -> str:
    """`cell_tokens` of the first `levels` levels as a PostgreSQL text[] expression over two float8 columns: the
    widths are written by repr(), so SQL divides by the very doubles Python does and both name a point's cells
    alike."""
    parts = [f"'c{level}x' || trunc(({lon} + 180.0) / {width!r})::integer::text || 'y' || "
             f"trunc(({lat} + 90.0) / {height!r})::integer::text" for level, width, height in _LEVELS[:levels]]
    return "ARRAY[" + ", ".join(parts) + "]"


def _spans(box: tuple[float, float, float, float], width: float, height: float) -> tuple[range, range]:
    """The x and y indexes of the cells of this size covering `box` (min_lon, min_lat, max_lon, max_lat)."""
    return (range(_index(box[0], width, 180), _index(box[2], width, 180) + 1),
            range(_index(box[1], height, 90), _index(box[3], height, 90) + 1))


def covering(min_lon: float, min_lat: float, max_lon: float, max_lat: float,
             levels: int = len(LAT_SIZES)) -> list[str] | None:
    """Tokens of the cells covering a bbox at the finest of the first `levels` levels with at most MAX_CELLS
    cells; None if too big."""
    for level, width, height in _LEVELS[:levels]:
        xs, ys = _spans((min_lon, min_lat, max_lon, max_lat), width, height)
        if len(xs) * len(ys) <= MAX_CELLS:
            return [f"c{level}x{x}y{y}" for x in xs for y in ys]
    return None


# Words by cell (PostgreSQL's entities.area_words, migration 0017_area_words): each lexeme of a place's open
# view prefixed by its finest cell, "<x>.<y>.<lexeme>". A frequent word in a small box then reads the box's
# cells' entries of that word alone, where the words' index reads all of the word's entries and ANDs them with
# the cells' (1M places, "museum" in a city centre: 1,206 entries in 0.9 ms against 143,000 in 8 ms).
AREA_WORDS_LEVEL = 0
AREA_WORDS_MAX_KEYS = 400  # cells × lexemes of a search; a bigger box keeps the cells of the words' index


def area_words_prefix(lat: float, lon: float) -> str:
    _, width, height = _LEVELS[AREA_WORDS_LEVEL]
    return f"{int((lon + 180) / width)}.{int((lat + 90) / height)}."


def area_words_prefix_sql(lat: str, lon: str) -> str:
    """`area_words_prefix` as a PostgreSQL text expression over two float8 columns (see cell_tokens_sql)."""
    _, width, height = _LEVELS[AREA_WORDS_LEVEL]
    return (f"trunc(({lon} + 180.0) / {width!r})::integer::text || '.' || "
            f"trunc(({lat} + 90.0) / {height!r})::integer::text || '.'")


def area_words_covering(box: tuple[float, float, float, float],
                        groups: tuple[tuple[str, ...], ...]) -> list[list[str]] | None:
    """Per group of alternative lexemes, the keys of area_words that hold one of them within the cells covering
    `box` (min_lon, min_lat, max_lon, max_lat); None when there are no groups or too many keys."""
    xs, ys = _spans(box, *_LEVELS[AREA_WORDS_LEVEL][1:])
    if not groups or len(xs) * len(ys) * sum(len(group) for group in groups) > AREA_WORDS_MAX_KEYS:
        return None
    prefixes = [f"{x}.{y}." for x in xs for y in ys]
    return [[prefix + lexeme for prefix in prefixes for lexeme in group] for group in groups]


# Map views: "places in this box, by name" -------------------------------------------------------------------
# A box of a city centre holds hundreds of places (thousands at 1M); sorting them all by name for a page of 20
# cost 0.8 ms on SQLite and 4-5 ms on PostgreSQL. Both engines can instead merge name-ordered index scans, one
# per grid cell under the box, and stop after a page: an expression index on (area cell, name, id) per level,
# where the area cell is computed by the same formula in Python and in each engine's SQL (IEEE division and
# truncation of non-negative numbers agree exactly).

_X_FACTOR = 100_000  # cell = x * _X_FACTOR + y; above the largest y (180 / 0.04 = 4,500)


@dataclass(frozen=True, slots=True)
class AreaLevel:
    name: str  # index suffix
    lat_size: float  # degrees
    lon_size: float  # degrees; literals, written into SQL by repr(), so Python and SQL divide by equal doubles
    max_cells: int  # boxes needing more cells at this level try the next
    max_page: int | None = None  # bigger pages of such small boxes read whole cells: their candidates cost less

    def cell(self, lat: float, lon: float) -> int:
        return int((lon + 180.0) / self.lon_size) * _X_FACTOR + int((lat + 90.0) / self.lat_size)

    def cells(self, min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> list[int] | None:
        xs = range(int((min_lon + 180.0) / self.lon_size), int((max_lon + 180.0) / self.lon_size) + 1)
        ys = range(int((min_lat + 90.0) / self.lat_size), int((max_lat + 90.0) / self.lat_size) + 1)
        if len(xs) * len(ys) > self.max_cells:
            return None
        return [x * _X_FACTOR + y for x in xs for y in ys]

    def bounds(self, cell: int) -> tuple[float, float, float, float]:
        """(min_lon, min_lat, max_lon, max_lat) of a cell, to within rounding: the cell formula decides."""
        x, y = divmod(cell, _X_FACTOR)
        return (x * self.lon_size - 180.0, y * self.lat_size - 90.0, (x + 1) * self.lon_size - 180.0,
                (y + 1) * self.lat_size - 90.0)

    def part(self, cell: int, box: tuple[float, float, float, float]) -> tuple[tuple[float, ...], float]:
        """The part of a cell inside a box (min_lon, min_lat, max_lon, max_lat) and the share of the cell's area
        it covers."""
        c_min_lon, c_min_lat, c_max_lon, c_max_lat = self.bounds(cell)
        min_lon, min_lat, max_lon, max_lat = box
        part = (max(min_lon, c_min_lon), max(min_lat, c_min_lat), min(max_lon, c_max_lon), min(max_lat, c_max_lat))
        covered = max(0.0, part[2] - part[0]) * max(0.0, part[3] - part[1])
        return part, covered / (self.lon_size * self.lat_size)

    def sql(self, dialect: str, alias: str = "") -> str:
        """The cell as an SQL expression over the lat/lon columns (an index expression and its lookups must
        be spelled alike)."""
        lat, lon = f"{alias}lat", f"{alias}lon"
        if dialect == "sqlite":
            return (f"(CAST(({lon} + 180.0) / {self.lon_size!r} AS INTEGER) * {_X_FACTOR} + "
                    f"CAST(({lat} + 90.0) / {self.lat_size!r} AS INTEGER))")
        return (f"((trunc(({lon} + 180.0) / {self.lon_size!r}) * {_X_FACTOR} + "
                f"trunc(({lat} + 90.0) / {self.lat_size!r}))::integer)")


AREA_LEVELS = (
    # ~4.4 km cells: city-centre boxes read a handful of index ranges; pages over 200 (PostgreSQL, 1M places, city
    # centre, limit 500: 35 ms against 28 ms for sorting the box's 5,800 candidates) take the candidate path
    AreaLevel("fine", 0.04, 0.064, 16, max_page=200),
    AreaLevel("coarse", 0.16, 0.256, 64),  # ~18 km: up to the whole RVR; bigger boxes sort their candidates
)


@dataclass(frozen=True, slots=True)
class AreaListing:
    level: AreaLevel
    cells: list[int]
    bbox: tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat


def split_edges(area: AreaListing, share: float) -> tuple[list[int], list[tuple[int, tuple[float, ...]]]]:
    """The listing's cells in two groups: those the box covers by at least `share` of their area, and the
    others with the part of them inside the box (min_lon, min_lat, max_lon, max_lat), a little widened so
    rounding never loses a point on its edge (the cell formula and the box test still decide)."""
    inside: list[int] = []
    edges: list[tuple[int, tuple[float, ...]]] = []
    for cell in area.cells:
        part, covered = area.level.part(cell, area.bbox)
        if covered >= share:
            inside.append(cell)
        else:
            edges.append((cell, (part[0] - _EPS, part[1] - _EPS, part[2] + _EPS, part[3] + _EPS)))
    return inside, edges


_EPS = 1e-9  # degrees, ~0.1 mm


def area_where(area: AreaListing, query: Query, open_view: bool, dialect: str) -> tuple[list[str], list[Any]]:
    """What every cell's range must also meet (in the box, the kind, the licence rule, the tags, past the cursor),
    as SQL clauses over the covering columns of entities_area_<level> and their parameters."""
    mark = "?" if dialect == "sqlite" else "%s"
    min_lon, min_lat, max_lon, max_lat = area.bbox
    where = ["e.withdrawn_at IS NULL", f"e.lat BETWEEN {mark} AND {mark}", f"e.lon BETWEEN {mark} AND {mark}"]
    params: list[Any] = [min_lat, max_lat, min_lon, max_lon]
    if query.kind:
        where.append(f"e.kind = {mark}")
        params.append(query.kind)
    if open_view:
        where.append("e.has_open = 1" if dialect == "sqlite" else "e.has_open")
    for group in tag_groups(query):
        marks = ",".join([mark] * len(group))
        # SQLite: a primary-key probe per row already in the box; PostgreSQL: tags is in the index
        where.append(f"EXISTS (SELECT 1 FROM entity_tags t WHERE t.entity_rowid = e.rowid AND t.tag IN ({marks}))"
                     if dialect == "sqlite" else f"e.tags && {mark}::text[]")
        params += group if dialect == "sqlite" else [group]
    if query.cursor:
        text = "" if dialect == "sqlite" else "::text"
        where.append(f"(e.name_sort, e.id) > ({mark}{text}, {mark}{text})")
        params += decode_cursor(query, 2)
    return where, params


FULL_ONLY = "full:"  # a tag only the full view has (rows.entity_columns): for readers of closed data alone


def tag_groups(query: Query) -> list[list[str]]:
    """The query's tag filters as the stores index them (`cat:`, `type:`, `src:`): one group per parameter, any
    tag of a group matches. An entity's plain tags are its open view's, so anonymous filters never match on what
    only closed records say; a reader of closed data also matches the tags only its full view has."""
    given = (("cat", query.categories), ("type", query.types), ("src", query.sources))
    groups = [[f"{prefix}:{v}" for v in values] for prefix, values in given if values]
    if query.include_closed:
        groups = [[*group, *(FULL_ONLY + tag for tag in group)] for group in groups]
    return groups


def area_listing_cells(query: Query, *, tags: bool = False) -> AreaListing | None:
    """How to list a box by name through the cells when nothing else filters it, else None.

    Other filters stay on the candidate path: a rare value would make the cells' scans read far past a page.
    `tags=True` lets category, type and source filters through, where the backend made them cheap: PostgreSQL's
    area indexes carry the tags; SQLite first checks that every filter is common.
    """
    if query.bbox is None or query.effective_sort() != "name" or query.changed_since is not None:
        return None
    if query.q or query.near is not None or query.narrowed(tags=not tags):
        return None
    for level in AREA_LEVELS:
        cells = level.cells(*query.bbox)
        if cells is not None:
            if level.max_page is not None and query.limit > level.max_page:
                return None
            return AreaListing(level, cells, query.bbox)
    return None
