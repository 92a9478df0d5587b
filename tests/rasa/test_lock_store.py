"""Conversation locks in Redis, shared by replicas: tickets are unique even when two replicas take
them at the same moment (Rasa's own RedisLockStore can hand out one ticket twice)."""

import threading
from typing import List

from bot.rasa.lock_store import SerialRedisLockStore, endpoint_config

TICKETS_PER_REPLICA = 60


def store(url: str) -> SerialRedisLockStore:
    config = endpoint_config(url)
    assert config is not None
    return SerialRedisLockStore(config)


def test_no_ticket_is_issued_twice_across_replicas(redis):
    replicas = [store(redis.url) for _ in range(2)]
    tickets: List[int] = []
    barrier = threading.Barrier(len(replicas))

    def take(replica: SerialRedisLockStore) -> None:
        barrier.wait()
        for _ in range(TICKETS_PER_REPLICA):
            tickets.append(replica.issue_ticket("same-conversation"))

    threads = [threading.Thread(target=take, args=(replica,)) for replica in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(tickets) == 2 * TICKETS_PER_REPLICA and len(set(tickets)) == len(tickets)


def test_the_lock_is_removed_when_its_last_ticket_is_served(redis):
    replica = store(redis.url)
    first, second = replica.issue_ticket("served"), replica.issue_ticket("served")
    replica.cleanup("served", first)
    assert replica.get_lock("served") is not None  # the second is still waiting
    replica.cleanup("served", second)
    assert replica.get_lock("served") is None


def test_no_redis_url_means_locks_in_memory():
    assert endpoint_config("") is None
