"""The assistant on separate hosts: the shipped manifests (deploy/kubernetes) played with `podman
kube play` from the images `make images` built (tests/deploy/pods.py says what podman needs filled
in), each part a pod with its own address. Under a locust load through a front door before the
two Rasa replicas (nginx, as a clinic's ingress would be), one replica's host is cut off the
network for 10 s and restored, then the database's host. No message may be lost; the recovery
times go to the fault table (tests/faults.py, reports/faults.md).
"""

from __future__ import annotations

import time
from typing import Callable, Dict, Iterator

import psycopg2
import pytest
import redis
import requests

from bot.runtime.client import RasaClient, poll_until
from bot.runtime.nginx import Nginx, development_site
from bot.runtime.services import free_port
from tests.deploy.pods import FIXED, REPLICAS, PodmanError, Stack, podman
from tests.faults import record, under_load

pytestmark = pytest.mark.slow

IMAGES = ("rasa", "actions", "console", "postgres", "redis")
CUT_SECONDS = 10
READY_SECONDS = 300
RASA_PORT = 5005


def wait_ready(stack: Stack) -> None:
    """Until every replica answers /ready (its model loaded, the database answering)."""
    urls = [f"http://{address}:{RASA_PORT}/ready" for address in stack.replica_addresses()]
    poll_until(lambda: all(requests.get(url, timeout=3).ok for url in urls), READY_SECONDS, "the Rasa replicas")


@pytest.fixture(scope="module")
def pods(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    missing = [image for image in IMAGES if not image_exists(f"localhost/spine/{image}:latest")]
    if missing:
        pytest.fail(f"images {', '.join(missing)} are missing: run `make images` (make test does)")
    stack = Stack(tmp_path_factory.mktemp("pods"))
    try:
        stack.up()
        wait_ready(stack)
        yield stack
    except (PodmanError, TimeoutError) as error:
        logs = "\n".join(f"--- {part}\n{stack.logs(part)[-3000:]}" for part in (*FIXED, REPLICAS))
        raise AssertionError(f"{error}\n{logs}") from error
    finally:
        stack.down()


def image_exists(image: str) -> bool:
    try:
        podman("image", "exists", image)
        return True
    except PodmanError:
        return False


@pytest.fixture(scope="module")
def front_door(pods: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    replicas = [f"{address}:{RASA_PORT}" for address in pods.replica_addresses()]
    nginx = Nginx(tmp_path_factory.mktemp("front-door"), development_site("127.0.0.1", port, replicas, 262144), port)
    nginx.start()
    yield f"http://127.0.0.1:{port}"
    nginx.stop()


def test_each_part_is_a_pod_of_its_own_with_an_address_of_its_own(pods):
    replicas = pods.pods(REPLICAS)
    assert len(replicas) == 2
    addresses = [pods.address(pod) for part in FIXED for pod in pods.pods(part)] + pods.replica_addresses()
    assert len(set(addresses)) == len(addresses) == len(FIXED) + 2


def test_the_replicas_share_conversations_and_reach_the_action_server(pods, front_door):
    token = pods.secret("RASA_AUTH_TOKEN")
    first, second = (RasaClient(f"http://{address}:{RASA_PORT}", token) for address in pods.replica_addresses())
    first.send("pods", "I had a lumbar fusion 3 weeks ago")
    # the action server's answer, from what the other replica was told (3 weeks after a fusion)
    answers = [reply.utter_action for reply in second.ask("pods", "can I climb stairs?")]
    assert "utter_activity_ok_now" in answers, answers
    faq = RasaClient(front_door, token).ask("pods-door", "is spinal fusion the same as a disc replacement?")
    assert any(r.utter_action == "utter_faq/fusion_vs_disc_replacement" for r in faq)


def test_postgres_takes_only_tls_with_its_password_and_redis_only_its_password(pods):
    address = pods.addresses["spine-postgres"]
    password = pods.secret("POSTGRES_PASSWORD")
    with psycopg2.connect(host=address, user="spine", dbname="spine", password=password, sslmode="require") as db:
        with db.cursor() as cursor:
            cursor.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            assert cursor.fetchone() == (True,)
    for options in ({"password": password, "sslmode": "disable"}, {"password": "wrong", "sslmode": "require"}):
        with pytest.raises(psycopg2.OperationalError):
            psycopg2.connect(host=address, user="spine", dbname="spine", connect_timeout=5, **options)
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(host=pods.addresses["spine-redis"], socket_timeout=5).ping()
    assert redis.Redis(host=pods.addresses["spine-redis"], password=pods.secret("REDIS_PASSWORD")).ping()


def test_the_console_answers(pods):
    assert requests.get(f"http://{pods.addresses['spine-console']}:8001/", timeout=10).status_code == 200


def cut_off(pods: Stack, pod: str) -> None:
    """The pod's host off the network for CUT_SECONDS, then back with its address; the replicas ready again."""
    address = pods.cut(pod)
    time.sleep(CUT_SECONDS)
    pods.restore(pod, address)
    wait_ready(pods)


FAULTS: Dict[str, Callable[[Stack], None]] = {
    "pods: a Rasa replica's host cut off for 10 s": lambda pods: cut_off(pods, pods.pods(REPLICAS)[-1]),
    "pods: the database's host cut off for 10 s": lambda pods: cut_off(pods, pods.pods("spine-postgres")[0]),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_no_message_is_lost_when(pods, front_door, fault):
    result = under_load(front_door, pods.secret("RASA_AUTH_TOKEN"), lambda: FAULTS[fault](pods), READY_SECONDS)
    record(fault, result)
    assert result["messages"] > 0 and result["lost_messages"] == 0, result
    assert not result["failed_after_recovery"], result
