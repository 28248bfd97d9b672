"""/api/v1/plans: a visitor's wishes in, a feasible day-by-day itinerary out (JSON or GeoJSON)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from datenhub.api.deps import get_clock, get_store, known_parameters
from datenhub.api.formats import negotiate
from datenhub.api.problems import problem
from datenhub.live.crowds import OccupancyCrowds
from datenhub.planner.plan import PlanError, make_plan
from datenhub.planner.plan_model import Plan, PlanRequest
from datenhub.store import Store

router = APIRouter(prefix="/api/v1", tags=["plans"], dependencies=[Depends(known_parameters)])


@router.post("/plans", summary="Plan a stay: feasible stops, legs and explanations per day",
             response_model=Plan, responses={422: {"description": "No plan possible; `reason` says why"}})
def create_plan(request: Request, body: PlanRequest, store: Store = Depends(get_store),
                f: str | None = Query(None, description="json or geojson")) -> JSONResponse:
    fmt = negotiate(request, ("json", "geojson"))
    try:
        plan = make_plan(store, body, clock=get_clock(request), crowds=OccupancyCrowds(store, get_clock(request)))
    except PlanError as exc:
        return problem(422, "No plan possible", exc.detail, instance=str(request.url.path), **exc.to_problem())
    if fmt == "geojson":
        return JSONResponse(plan.geojson, media_type="application/geo+json")
    return JSONResponse(plan.to_json())
