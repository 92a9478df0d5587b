"""Runs the Rasa server (what `rasa run --enable-api` does), configured from the environment.

Started in-process rather than through the `rasa run` command line so that the API token is
read from the environment and never appears in the process list.
"""
from __future__ import annotations

import logging
import os
import sys

from bot import settings


def main() -> int:
    from rasa.core.run import serve_application
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    server = settings.server_settings()
    os.environ["ACTION_PORT"] = str(server.action_port)
    configure_logging_and_warnings(logging.INFO, warn_only_once=True, filter_repeated_logs=True)
    configure_structlog(logging.INFO)
    serve_application(
        model_path=str(settings.MODELS_DIR),
        port=server.rasa_port,
        credentials=str(settings.PROJECT_ROOT / "credentials.yml"),
        endpoints=AvailableEndpoints.read_endpoints(str(settings.PROJECT_ROOT / "endpoints.yml")),
        cors=settings.cors_origins(),
        auth_token=server.auth_token,
        enable_api=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
