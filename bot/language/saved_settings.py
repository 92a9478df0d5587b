"""The settings a spaCy component saves with the pipeline: one JSON file in its folder."""

from pathlib import Path
from typing import Any

import srsly


def save_settings(path: Path, file_name: str, settings: Any) -> None:
    """Writes the settings into the component's folder, made if need be."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    srsly.write_json(folder / file_name, settings)


def read_settings(path: Path, file_name: str) -> Any:
    """The settings `save_settings` wrote into the component's folder."""
    return srsly.read_json(Path(path) / file_name)
