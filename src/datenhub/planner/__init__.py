"""Tour planning: the orienteering problem with time windows (OPTW) and its team variant (TOPTW)."""

from datenhub.planner.ils import solve
from datenhub.planner.optw_format import OptwFormatError, OptwInstance, parse_optw, read_optw
from datenhub.planner.problem import OrienteeringProblem, Solution
from datenhub.planner.schedule import is_feasible, schedule, violations

__all__ = [
    "OptwFormatError",
    "OptwInstance",
    "OrienteeringProblem",
    "Solution",
    "is_feasible",
    "parse_optw",
    "read_optw",
    "schedule",
    "solve",
    "violations",
]
