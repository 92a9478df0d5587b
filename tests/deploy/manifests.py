"""The Kubernetes manifests as shipped (deploy/kubernetes/*.yaml): their objects, by kind and name."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import yaml

from bot import settings

DIRECTORY = settings.PROJECT_ROOT / "deploy" / "kubernetes"


def load(directory: Path = DIRECTORY) -> List[Dict[str, Any]]:
    """Every object of every manifest, in file order."""
    return [
        document
        for path in sorted(directory.glob("*.yaml"))
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if document
    ]


def of_kind(objects: List[Dict[str, Any]], kind: str) -> List[Dict[str, Any]]:
    return [o for o in objects if o["kind"] == kind]


def named(objects: List[Dict[str, Any]], kind: str, name: str) -> Dict[str, Any]:
    return next(o for o in of_kind(objects, kind) if o["metadata"]["name"] == name)
