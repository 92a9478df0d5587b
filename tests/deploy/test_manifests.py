"""The Kubernetes manifests (deploy/kubernetes), offline: every object valid against the
Kubernetes 1.27 schemas (kubernetes-validate, strict: no unknown fields), every part there with
its Service, every setting they give a row of bot/settings.py, every secret they read defined."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List

import kubernetes_validate
import pytest

from bot import settings
from tests.deploy import manifests

KUBERNETES_VERSION = "1.27.0"
PARTS = {"spine-rasa", "spine-actions", "spine-console", "spine-postgres", "spine-redis"}
# Read by the PostgreSQL and Redis images (deploy/images), not by the assistant.
IMAGE_VARIABLES = {"POSTGRES_PASSWORD", "REDIS_PASSWORD", "TLS_CERT", "TLS_KEY", "PGDATA"}


@pytest.fixture(scope="module")
def objects() -> List[Dict[str, Any]]:
    return manifests.load()


def containers(objects: List[Dict[str, Any]]) -> Iterator[Dict[str, Any]]:
    for deployment in manifests.of_kind(objects, "Deployment"):
        yield from deployment["spec"]["template"]["spec"]["containers"]


def test_every_object_is_valid_for_kubernetes(objects):
    assert objects
    for document in objects:
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_every_part_has_a_deployment_and_a_service(objects):
    assert {d["metadata"]["name"] for d in manifests.of_kind(objects, "Deployment")} == PARTS
    assert {s["metadata"]["name"] for s in manifests.of_kind(objects, "Service")} == PARTS
    replicas = {d["metadata"]["name"]: d["spec"]["replicas"] for d in manifests.of_kind(objects, "Deployment")}
    assert replicas["spine-rasa"] == 2


def test_the_rasa_server_is_ready_only_with_its_model_and_checked_alive(objects):
    rasa = next(c for c in containers(objects) if c["name"] == "rasa")
    assert rasa["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert rasa["livenessProbe"]["httpGet"]["path"] == "/health"


def test_every_variable_given_is_a_setting_and_every_secret_read_is_defined(objects):
    known = {setting.name for setting in settings.SETTINGS} | IMAGE_VARIABLES
    config = manifests.named(objects, "ConfigMap", "spine-settings")["data"]
    secrets = {s["metadata"]["name"]: s["stringData"] for s in manifests.of_kind(objects, "Secret")}
    assert set(config) <= known, set(config) - known
    assert set(secrets["spine-secrets"]) <= known, set(secrets["spine-secrets"]) - known
    for container in containers(objects):
        for variable in container.get("env", []):
            assert variable["name"] in known, variable["name"]
            reference = variable.get("valueFrom", {}).get("secretKeyRef")
            if reference:
                assert reference["key"] in secrets[reference["name"]], reference


def test_the_databases_need_their_passwords_and_tls(objects):
    secrets = manifests.named(objects, "Secret", "spine-secrets")["stringData"]
    assert "?sslmode=require&" in secrets["TRACKER_DATABASE_URL"]
    assert f":{secrets['POSTGRES_PASSWORD']}@" in secrets["TRACKER_DATABASE_URL"]
    assert secrets["LOCK_STORE_URL"].startswith(f"redis://:{secrets['REDIS_PASSWORD']}@")
    assert manifests.named(objects, "Secret", "spine-postgres-tls")["type"] == "kubernetes.io/tls"
