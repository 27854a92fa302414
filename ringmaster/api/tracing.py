"""Optional OpenTelemetry tracing of the API.

FastAPI traces requests itself (spans per request, dependency and endpoint) whenever an
OpenTelemetry tracer provider is configured; with none it costs nothing. Installing the `otel`
extra (the SDK and the OTLP/HTTP exporter) and setting `OTEL_EXPORTER_OTLP_ENDPOINT` makes the
app configure one from the standard OTEL_* variables. Without the extra this module is a no-op.
The request id is set on the request's span, and the logs carry the trace id (`ringmaster.logs`).
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

from fastapi.telemetry import TelemetryConfig


def sdk_installed() -> bool:
    """Whether the `otel` extra is installed (the SDK and the OTLP/HTTP exporter)."""
    try:
        return all(
            importlib.util.find_spec(name) is not None
            for name in ("opentelemetry.sdk", "opentelemetry.exporter.otlp.proto.http")
        )
    except ModuleNotFoundError:
        return False


def telemetry_config(tracer_provider: Any | None = None) -> TelemetryConfig:
    """FastAPI's telemetry settings: export from the environment only when it can and is asked
    to (the extra is installed and an OTLP endpoint is set); a given provider is used as is."""
    endpoint = os.getenv("OTEL_EXPORTER_OTLP_ENDPOINT") or os.getenv(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
    )
    config: TelemetryConfig = {
        "auto_configure": bool(endpoint) and sdk_installed(),
        "metrics": False,  # Prometheus metrics are served elsewhere
    }
    if tracer_provider is not None:
        config["tracer_provider"] = tracer_provider
    return config
