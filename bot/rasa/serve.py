"""Runs the Rasa server (what `rasa run --enable-api` does), configured from the environment.

Started in-process rather than through the `rasa run` command line so that the API token is
read from the environment and never appears in the process list.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path

from bot import settings
from bot.rasa.channels import write_enabled_credentials


def main() -> int:
    settings.disable_rasa_telemetry()
    from rasa.core.run import serve_application
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    server = settings.server_settings()
    os.environ["ACTION_PORT"] = str(server.action_port)
    configure_logging_and_warnings(logging.INFO, warn_only_once=True, filter_repeated_logs=True)
    configure_structlog(logging.INFO)
    with tempfile.TemporaryDirectory() as private:
        credentials = Path(private) / "credentials.yml"
        channels = write_enabled_credentials(settings.PROJECT_ROOT / "credentials.yml", credentials)
        logging.getLogger(__name__).info("channels enabled: %s", ", ".join(channels))
        serve_application(
            model_path=str(settings.MODELS_DIR),
            port=server.rasa_port,
            credentials=str(credentials),
            endpoints=AvailableEndpoints.read_endpoints(str(settings.PROJECT_ROOT / "endpoints.yml")),
            cors=settings.cors_origins(),
            auth_token=server.auth_token,
            enable_api=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
