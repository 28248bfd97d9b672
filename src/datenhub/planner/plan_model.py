"""The stay planner's request and answer as data (pydantic), and the error that explains an impossible request."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_DAYS = 7
Mode = Literal["walk", "bike", "transit"]
Language = Literal["de", "en"]
Weight = Annotated[float, Field(ge=0, le=1)]
Minutes = Annotated[int, Field(ge=0, le=24 * 60)]
PlaceRef = Annotated[str, Field(max_length=300)]


class PlanError(ValueError):
    """A request no plan can answer; ``reason`` is a stable code, ``detail`` says why in words."""

    def __init__(self, reason: str, detail: str, *, ids: list[str] | None = None, param: str | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.ids = ids or []
        self.param = param

    def to_problem(self) -> dict[str, Any]:
        body: dict[str, Any] = {"reason": self.reason}
        if self.ids:
            body["ids"] = self.ids
        if self.param:
            body["parameter"] = self.param
        return body


class LatLon(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


DEFAULT_RADIUS_KM = {"walk": 5.0, "bike": 15.0, "transit": 30.0}


class PlanRequest(BaseModel):
    """What a visitor asks for. Times are local wall-clock times in Europe/Berlin."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    start: PlaceRef | LatLon = Field(description="Place id, station record id (db-stations:8000098) or {lat, lon}")
    end: PlaceRef | LatLon | None = Field(None, description="Where the day ends (default: start)")
    date: str | None = Field(None, description="YYYY-MM-DD (default: today)", examples=["2026-06-06"])
    dates: list[str] | None = Field(None, max_length=50, description="Several dates instead of date + days")
    days: int = Field(1, ge=1, description=f"Consecutive days from date (at most {MAX_DAYS})")
    start_time: str = Field("10:00", description="HH:MM")
    end_time: str = Field("18:00", description="HH:MM: back at the end by then")
    interests: dict[str, Weight] = Field(default_factory=dict, max_length=50,
                                        description="Category -> weight 0..1 (empty: every sight category)")
    must_see: list[PlaceRef] = Field(default_factory=list, max_length=50)
    avoid: list[PlaceRef] = Field(default_factory=list, max_length=200)
    visit_minutes: dict[str, Minutes] = Field(default_factory=dict, max_length=200,
                                              description="Place id or category -> minutes")
    mode: Mode = "transit"
    radius_km: float | None = Field(None, gt=0, le=300, description="Search radius around the start; without it "
                                    "by how one travels: walk 5, bike 15, public transport 30 km")
    wheelchair: bool = False
    avoid_crowds: bool = False
    language: Language = "de"
    seed: int = Field(0, ge=0, le=2**31 - 1)
    time_limit: float = Field(0.4, gt=0, le=5.0, description="Seconds of search per day")

    @property
    def search_radius_km(self) -> float:
        """The radius asked for, else one a day of that way of travelling can cover: 30 km on foot made plans of
        50 km and more of walking."""
        return self.radius_km if self.radius_km is not None else DEFAULT_RADIUS_KM[self.mode]


class Stop(BaseModel):
    id: str
    name: str
    category: str | None
    lat: float
    lon: float
    arrival: str
    start: str
    end: str
    departure: str
    wait_minutes: int
    visit_minutes: int
    wheelchair: str | None = None
    opening_hours: str | None = None
    why: list[str]


class Leg(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    minutes: int
    mode: str
    km: float


class Endpoint(BaseModel):
    id: str | None
    name: str
    lat: float
    lon: float
    time: str


class DayPlan(BaseModel):
    date: str
    start: Endpoint
    end: Endpoint
    stops: list[Stop]
    legs: list[Leg]
    score: float
    notes: list[str] = Field(default_factory=list)


class Unplaced(BaseModel):
    id: str
    reason: str


class Plan(BaseModel):
    language: Language
    mode: str
    label: str = ""
    days: list[DayPlan]
    alternatives: list[Plan] = Field(default_factory=list)
    unplaced_must_see: list[Unplaced] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    geojson: dict[str, Any] = Field(default_factory=dict)

    def place_ids(self) -> list[str]:
        return [s.id for d in self.days for s in d.stops]

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json")
