"""`make cluster` under load and under faults: two Rasa replicas behind nginx, PostgreSQL, Redis.

Each fault runs during a locust load (bot/dev/load): a replica killed, PostgreSQL and Redis
restarted, the action server killed, a model promoted. No message may be lost (every one in the
conversation store once, with a reply after it); requests cut off are sent again by the load
client and answered once; after recovery no request fails. Recovery times go to
build/faults.json (tests/faults.py; docs/speed.md).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Dict, Iterator, List
from urllib.parse import quote

import pytest
import requests

from bot import settings
from bot.names import Channel
from bot.runtime.client import RasaClient, poll_until
from bot.runtime.cluster import Cluster, start_cluster
from bot.runtime.services import free_port, isolated_environment, isolated_settings
from tests.browser.chromium import demo_page
from tests.browser.test_widget import ask, open_chat
from tests.conftest import CHANNEL_SECRETS
from tests.console.staff import Staff
from tests.faults import record, under_load
from tests.rasa.channels.provider_api import ProviderAPI
from tests.rasa.channels.test_telegram import REPLY_PATH, post, update
from tests.test_server_privacy import WidgetClient, wait_for

READY_SECONDS = 240


@pytest.fixture(scope="module")
def cluster(provider_api: ProviderAPI) -> Iterator[Cluster]:
    server = isolated_settings()
    directory = Path(tempfile.mkdtemp(prefix="spine-cluster-"))
    directory.chmod(0o755)  # PostgreSQL runs as its own user (as root) and must reach its folder
    options = settings.ClusterSettings(2, free_port(), free_port(), free_port(), directory)
    env = {
        **isolated_environment(directory),
        **CHANNEL_SECRETS,
        **{f"{p}_API_URL": provider_api.url for p in ("TWILIO", "TELEGRAM", "FACEBOOK", "SLACK")},
    }
    (directory / "logs").mkdir()
    with start_cluster(server, options, directory / "logs", env, [free_port(), free_port()]) as running:
        yield running
    shutil.rmtree(directory, ignore_errors=True)


def replica_client(cluster: Cluster, name: str) -> RasaClient:
    return RasaClient(cluster.replica_url(name), cluster.services.token)


def test_rest_api_and_webhooks_answer_on_the_cluster_port(cluster, provider_api):
    client = cluster.services.client()
    assert requests.get(f"{cluster.services.rasa_url}/version", timeout=10).json()["version"].startswith("3.6")
    replies = client.ask("through-nginx", "is spinal fusion the same as a disc replacement?")
    assert any(r.utter_action == "utter_faq/fusion_vs_disc_replacement" for r in replies)
    assert requests.get(f"{cluster.services.rasa_url}/status", timeout=10).status_code == 401
    mark = provider_api.mark()
    assert post(cluster.services, update(2222222, "will there be metal in my back?")).status_code == 200
    assert provider_api.wait_for(REPLY_PATH, mark, count=2)


def test_each_replica_has_its_own_metrics_and_the_front_door_needs_the_token(cluster):
    """A replica's /metrics answers a scraper on loopback; through nginx (X-Forwarded-For) only
    with the token. /ready answers without one: the replicas' database is PostgreSQL."""
    for name in cluster.replicas:
        client = replica_client(cluster, name)
        client.send(f"metrics-{name}", "is spinal fusion the same as a disc replacement?")
        own = requests.get(f"{cluster.replica_url(name)}/metrics", timeout=10)
        assert own.status_code == 200 and 'spine_messages_total{channel="rest",outcome="answered"}' in own.text
        assert requests.get(f"{cluster.replica_url(name)}/ready", timeout=10).json() == {"status": "ready"}
    front = cluster.services.rasa_url
    assert requests.get(f"{front}/metrics", timeout=10).status_code == 401
    token = {"Authorization": f"Bearer {cluster.services.token}"}
    assert "spine_reply_seconds_bucket" in requests.get(f"{front}/metrics", headers=token, timeout=10).text
    assert requests.get(f"{front}/ready", timeout=10).status_code == 200


def test_the_widget_talks_to_the_cluster_and_the_console_reads_it(cluster):
    with demo_page(cluster.services.web_url, 1280, 900) as driver:
        open_chat(driver)
        ask(driver, "will there be metal in my back after fusion?", "rods")
    staff = Staff(cluster.services, "reviewer")
    channels = {line["channel"] for line in staff.get("/api/conversations")["conversations"]}
    assert {Channel.SOCKETIO, Channel.REST} <= channels


def test_both_replicas_serve_the_same_conversations(cluster):
    first, second = (replica_client(cluster, name) for name in cluster.replicas)
    first.send("shared", "I had a lumbar fusion 3 weeks ago")
    second.send("shared", "can I climb stairs?")
    texts = [e.get("text") for e in first.tracker("shared")["events"] if e["event"] == "user"]
    assert texts == ["I had a lumbar fusion 3 weeks ago", "can I climb stairs?"]


def test_a_staff_message_reaches_a_widget_held_by_the_other_replica(cluster):
    """The widget's socket stays on one replica; the console's message reaches another, which
    relays it through Redis (JSON) to the socket."""
    holder, other = cluster.replicas[:2]

    async def scenario() -> List[Dict]:
        patient = WidgetClient()
        await patient.start(cluster.replica_url(holder))
        await patient.say("i want to speak to a human")
        conversation = f"{Channel.SOCKETIO}:{patient.session['session_id']}"
        answer = requests.post(
            f"{cluster.replica_url(other)}/assistant/conversations/{quote(conversation, safe='')}/staff",
            json={"kind": "message", "staff": "nurse-ann", "text": "Hello from the clinic."},
            headers={"Authorization": f"Bearer {cluster.services.token}"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        await wait_for(lambda: any("Hello from the clinic." in r.get("text", "") for r in patient.replies))
        await patient.sio.disconnect()
        return patient.replies

    replies = asyncio.run(scenario())
    assert replies[-1]["metadata"] == {"staff": True, "with_staff": True}


def test_locks_hold_across_replicas(cluster):
    """Two messages of one conversation sent to the two replicas at the same moment are processed
    one after the other: each user message is followed by its own replies, none interleaved."""
    clients = [replica_client(cluster, name) for name in cluster.replicas]
    senders = [f"lock-{n}" for n in range(8)]
    questions = ["will there be metal in my back?", "how long will I stay in hospital?"]

    def send(client: RasaClient, sender: str, text: str, barrier: threading.Barrier) -> None:
        barrier.wait()
        client.send(sender, text)

    for sender in senders:
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=send, args=(c, sender, q, barrier)) for c, q in zip(clients, questions)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    for sender in senders:
        events = [e for e in clients[0].tracker(sender)["events"] if e["event"] in ("user", "bot")]
        kinds = "".join("u" if e["event"] == "user" else "b" for e in events)
        assert kinds.count("u") == 2 and "uu" not in kinds and kinds.endswith("b"), (sender, kinds)


def wait_ready(cluster: Cluster, name: str) -> None:
    if name.startswith("rasa"):
        replica_client(cluster, name).wait_until_ready(READY_SECONDS)
    else:
        poll_until(lambda: requests.get(f"{cluster.services.action_url}/health", timeout=2).ok, READY_SECONDS, name)


def process_status(pid: int) -> List[str]:
    """State and parent of a running process ([] if it is gone), from /proc/<pid>/stat."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[:2]
    except OSError:
        return []


def alive(pid: int) -> bool:
    status = process_status(pid)
    return bool(status) and status[0] != "Z"


def children(pid: int) -> List[int]:
    pids = (int(stat.parent.name) for stat in Path("/proc").glob("[0-9]*/stat"))
    return [child for child in pids if process_status(child)[1:] == [str(pid)]]


def restart(cluster: Cluster, name: str, pause: float = 2) -> None:
    """Kills the process outright, and starts it again; a Rasa server's long-message worker must
    not outlive it."""
    process = cluster.services.processes[name]
    workers = children(process.pid)
    process.kill()
    process.wait(30)
    time.sleep(pause)
    cluster.start(name)
    poll_until(lambda: not any(alive(pid) for pid in workers), 15, "orphaned workers to exit")
    wait_ready(cluster, name)


def restart_postgres(cluster: Cluster) -> None:
    assert cluster.database is not None
    cluster.database.stop()
    time.sleep(3)
    cluster.database.start()


def restart_redis(cluster: Cluster) -> None:
    assert cluster.redis is not None
    cluster.redis.stop()
    time.sleep(3)
    cluster.redis.start()


def promote(cluster: Cluster) -> None:
    for name in cluster.replicas:
        reply = requests.post(
            f"{cluster.replica_url(name)}/assistant/model",
            json={"path": str(settings.DEFAULT_MODEL)},
            headers={"Authorization": f"Bearer {cluster.services.token}"},
            timeout=300,
        )
        assert reply.status_code == 200, reply.text


FAULTS: Dict[str, Callable[[Cluster], None]] = {
    "a Rasa replica killed": lambda cluster: restart(cluster, cluster.replicas[-1]),
    "PostgreSQL restarted": restart_postgres,
    "Redis restarted": restart_redis,
    "the action server killed": lambda cluster: restart(cluster, "actions"),
    "a model promoted": promote,
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_no_message_is_lost_when(cluster, fault):
    result = under_load(
        cluster.services.rasa_url, cluster.services.token, lambda: FAULTS[fault](cluster), READY_SECONDS
    )
    record(fault, result)
    assert result["messages"] > 0 and result["lost_messages"] == 0, result
    assert not result["failed_after_recovery"], result
