"""FastAPI's OpenTelemetry: off unless the process is set up to export, and the operator's word wins."""

from __future__ import annotations

import pytest

from datenhub.api.telemetry import OFF, telemetry_config


def test_off_without_any_opentelemetry_setup() -> None:
    assert telemetry_config({}) == OFF


@pytest.mark.parametrize("environ", [{"OTEL_TRACES_EXPORTER": "otlp"}, {"OTEL_SERVICE_NAME": "datenhub"},
                                     {"DATENHUB_TELEMETRY": "on"}, {"DATENHUB_TELEMETRY": " ON "}])
def test_fastapi_default_when_configured_or_asked_for(environ: dict[str, str]) -> None:
    assert telemetry_config(environ) is None


def test_off_wins_over_otel_variables() -> None:
    assert telemetry_config({"DATENHUB_TELEMETRY": "off", "OTEL_TRACES_EXPORTER": "otlp"}) == OFF


def test_a_configured_tracer_provider_keeps_it_on(monkeypatch: pytest.MonkeyPatch) -> None:
    trace = pytest.importorskip("opentelemetry.trace")
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: trace.NoOpTracerProvider())
    assert telemetry_config({}) is None


def test_a_wrong_setting_says_what_is_allowed() -> None:
    with pytest.raises(ValueError, match="auto, on or off"):
        telemetry_config({"DATENHUB_TELEMETRY": "yes"})
