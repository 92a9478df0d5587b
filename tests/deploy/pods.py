"""The shipped Kubernetes manifests (deploy/kubernetes) played by `podman kube play`: each part a
pod of its own, with its own address on a podman network made for the run, so that as far as the
parts can tell they are on separate hosts. Only what podman lacks is filled in here:

- Secrets: podman reads a secretKeyRef from a podman secret (a JSON map of base64 values), made
  from the manifest's Secret with each placeholder replaced by a random value (the same value
  wherever the same placeholder appears) and PostgreSQL's by a self-signed certificate;
- Services: podman has none. Each Service's name is a host alias, in every pod, of the address of
  the pod behind it (fixed addresses for the databases, the action server and the console), and
  nginx on the test's host is the front door a clinic puts before the Service spine-rasa;
- ports: podman 4.3 publishes every containerPort on the test's host, where two replicas (and
  runs side by side) would collide; each pod is reached at its own address, so they are left out;
- names: every object's name gets the run's suffix, so that runs side by side do not collide.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

import yaml

from tests.deploy import manifests

PLACEHOLDER = re.compile(r"change-me-[a-z-]+")
TLS_SECRET = "spine-postgres-tls"
# The parts with a fixed address (their Service's); and the replicas, whose addresses podman gives.
CONSOLE = "spine-console"
FIXED = ("spine-postgres", "spine-redis", "spine-actions", CONSOLE)
REPLICAS = "spine-rasa"


class PodmanError(RuntimeError):
    pass


def podman(*arguments: str, stdin: Optional[str] = None) -> str:
    done = subprocess.run(["podman", *arguments], input=stdin, capture_output=True, text=True)
    if done.returncode:
        raise PodmanError(f"podman {' '.join(arguments[:3])}: {done.stderr.strip()[-2000:]}")
    return done.stdout.strip()


def renamed(value: Any, names: Dict[str, str]) -> Any:
    """`value` with every string that is an object's name replaced by its new name."""
    if isinstance(value, dict):
        return {key: renamed(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [renamed(item, names) for item in value]
    return names.get(value, value) if isinstance(value, str) else value


def self_signed(directory: Path, host: str) -> Dict[str, str]:
    """A certificate for `host` and its key (PEM), made by openssl."""
    key, cert = directory / "tls.key", directory / "tls.crt"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={host}"]
        + ["-addext", f"subjectAltName=DNS:{host}", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return {"tls.crt": cert.read_text(), "tls.key": key.read_text()}


def filled_secrets(objects: List[Dict[str, Any]], directory: Path) -> Dict[str, Dict[str, str]]:
    """Every Secret's values, placeholders replaced (one random value per placeholder)."""
    values: Dict[str, str] = {}

    def fill(text: str) -> str:
        return PLACEHOLDER.sub(lambda m: values.setdefault(m.group(), secrets.token_hex(16)), text)

    filled = {}
    for secret in manifests.of_kind(objects, "Secret"):
        name = secret["metadata"]["name"]
        data = secret["stringData"]
        filled[name] = (
            self_signed(directory, "spine-postgres")
            if name == TLS_SECRET
            else {key: fill(value) for key, value in data.items()}
        )
    return filled


@dataclass
class Stack:
    """The parts played in their pods; `down()` removes pods, volumes, secrets and the network."""

    directory: Path
    suffix: str = field(default_factory=lambda: "-t" + secrets.token_hex(3))
    objects: List[Dict[str, Any]] = field(default_factory=manifests.load)
    network: str = ""
    secret_values: Dict[str, Dict[str, str]] = field(default_factory=dict)
    addresses: Dict[str, str] = field(default_factory=dict)  # Service name -> pod address
    played: List[Path] = field(default_factory=list)
    claims: Set[str] = field(default_factory=set)  # the volume claims made (by the first part naming one)

    def __post_init__(self) -> None:
        self.names = {o["metadata"]["name"]: o["metadata"]["name"] + self.suffix for o in self.objects}
        self.network = "spine" + self.suffix

    def up(self) -> None:
        """The network, the secrets, then every part's pods."""
        podman("network", "create", self.network)
        subnet = ipaddress.ip_network(
            podman("network", "inspect", self.network, "--format", "{{range .Subnets}}{{.Subnet}}{{end}}")
        )
        self.addresses = {part: str(subnet.network_address + 10 + index) for index, part in enumerate(FIXED)}
        self.secret_values = filled_secrets(self.objects, self.directory)
        for name, values in self.secret_values.items():
            encoded = {key: base64.b64encode(value.encode()).decode() for key, value in values.items()}
            podman("secret", "create", self.names[name], "-", stdin=json.dumps(encoded))
        for part in FIXED[:-1]:
            self.play(part, self.addresses[part])
        self.play(REPLICAS)
        self.play(CONSOLE, self.addresses[CONSOLE])  # it reaches a replica: they must have addresses

    def secret(self, key: str) -> str:
        return self.secret_values["spine-secrets"][key]

    def play(self, part: str, address: Optional[str] = None) -> None:
        """Plays the part's Deployment, with the ConfigMap and the volume claims it names, the
        Services' names as host aliases."""
        deployment = renamed(manifests.named(self.objects, "Deployment", part), self.names)
        spec = deployment["spec"]["template"]["spec"]
        aliases = {name: ip for name, ip in self.addresses.items() if name != part}
        if part == CONSOLE:
            aliases[REPLICAS] = self.replica_addresses()[0]
        spec["hostAliases"] = [{"ip": ip, "hostnames": [name]} for name, ip in aliases.items()]
        for container in spec["containers"]:
            container.pop("ports", None)
        claims = {
            v["persistentVolumeClaim"]["claimName"] for v in spec.get("volumes", []) if "persistentVolumeClaim" in v
        }
        documents = [
            *renamed(manifests.of_kind(self.objects, "ConfigMap"), self.names),
            *(
                claim
                for claim in renamed(manifests.of_kind(self.objects, "PersistentVolumeClaim"), self.names)
                if claim["metadata"]["name"] in claims - self.claims
            ),
            deployment,
        ]
        self.claims |= claims
        path = self.directory / f"{part}.yaml"
        path.write_text(yaml.safe_dump_all(documents))
        self.played.append(path)
        podman("kube", "play", "--network", self.network, *(["--ip", address] if address else []), str(path))

    def pods(self, part: str) -> List[str]:
        """The part's pods, by name (a Deployment's are <name>-pod-<n>)."""
        found = podman("pod", "ps", "--format", "{{.Name}}", "--filter", f"name=^{self.names[part]}-pod-")
        return sorted(found.split())

    def infra(self, pod: str) -> str:
        return podman("pod", "inspect", pod, "--format", "{{.InfraContainerID}}")

    def address(self, pod: str) -> str:
        return podman(
            "inspect",
            self.infra(pod),
            "--format",
            f'{{{{(index .NetworkSettings.Networks "{self.network}").IPAddress}}}}',
        )

    def replica_addresses(self) -> List[str]:
        return [self.address(pod) for pod in self.pods(REPLICAS)]

    def cut(self, pod: str) -> str:
        """Takes the pod off the network (its address is kept for `restore`)."""
        address = self.address(pod)
        podman("network", "disconnect", self.network, self.infra(pod))
        return address

    def restore(self, pod: str, address: str) -> None:
        podman("network", "connect", "--ip", address, self.network, self.infra(pod))

    def logs(self, part: str) -> str:
        return "\n".join(podman("pod", "logs", pod) for pod in self.pods(part))

    def down(self) -> None:
        for path in reversed(self.played):
            subprocess.run(["podman", "kube", "down", str(path)], capture_output=True)
        for claim in manifests.of_kind(self.objects, "PersistentVolumeClaim"):
            subprocess.run(["podman", "volume", "rm", "-f", self.names[claim["metadata"]["name"]]], capture_output=True)
        for name in self.secret_values:
            subprocess.run(["podman", "secret", "rm", self.names[name]], capture_output=True)
        subprocess.run(["podman", "network", "rm", "-f", self.network], capture_output=True)
