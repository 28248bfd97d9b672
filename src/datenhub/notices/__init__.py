"""Data problems as data: every notice has a code, a severity and a location."""

from datenhub.notices.notice import Location, Notice, Severity
from datenhub.notices.report import Report

__all__ = ["Location", "Notice", "Report", "Severity"]
