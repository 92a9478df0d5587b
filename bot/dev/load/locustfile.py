"""Locust patients for `make load` (run by bot/dev/load/run.py in locust's own environment, so only
the standard library and locust here).

Each simulated patient holds one conversation over the REST channel: a few questions of one kind
(FAQ, recovery timeline, a warning sign, something the guides do not cover), with think time
between them. Every message carries a message id; a request that fails (a replica died, 5xx) is
sent again with `retry: true` until it is answered, as the widget does. Each attempt and each
message's outcome go to the ledger (JSON lines, LOAD_LEDGER) for the report: latency, errors,
and whether every message is in the conversation store afterwards.

Environment: RASA_AUTH_TOKEN (the server's), LOAD_LEDGER (file), LOAD_MESSAGES (messages per
patient, then it leaves; 0: until the run ends), LOAD_THINK_SECONDS ("min,max").
"""

import json
import os
import random
import time
import uuid

from locust import HttpUser, between, constant, events, task
from locust.exception import StopUser

CONVERSATIONS = {
    "faq": [
        "Is spinal fusion the same as a disc replacement?",
        "will there be metal in my back",
        "how long will I stay in hospital",
        "when can I drive again",
    ],
    "timeline": [
        "I had a lumbar fusion 3 weeks ago, can I climb stairs?",
        "what about lifting a laundry basket",
        "and when can I go back to work",
    ],
    "red_flag": [
        "my incision is red and leaking and I have a fever",
        "what should I do",
    ],
    "uncovered": [
        "what's the weather like tomorrow",
        "can you recommend a good pizza place",
        "how long until I'm back to normal after minimally invasive surgery",
    ],
}
MIX = ["faq"] * 4 + ["timeline"] * 3 + ["red_flag"] + ["uncovered"] * 2
RETRY_PAUSE_SECONDS = 0.5
GIVE_UP_SECONDS = 120

MESSAGES = int(os.environ.get("LOAD_MESSAGES", "0"))
THINK = [float(x) for x in os.environ.get("LOAD_THINK_SECONDS", "1,3").split(",")]
LEDGER = open(os.environ["LOAD_LEDGER"], "a", buffering=1)  # noqa: SIM115 (open for the whole run)
STOPPED = {"patients": 0}


def record(**entry):
    LEDGER.write(json.dumps(entry) + "\n")


class Patient(HttpUser):
    wait_time = between(*THINK) if THINK[1] > 0 else constant(0)

    def on_start(self):
        self.sender = uuid.uuid4().hex
        self.kind = random.choice(MIX)
        self.sent = 0
        self.headers = {"Authorization": f"Bearer {os.environ['RASA_AUTH_TOKEN']}"}

    @task
    def say(self):
        if MESSAGES and self.sent >= MESSAGES:
            STOPPED["patients"] += 1
            if STOPPED["patients"] >= self.environment.runner.target_user_count:
                self.environment.runner.quit()
            raise StopUser()
        script = CONVERSATIONS[self.kind]
        text = script[self.sent % len(script)]
        self.sent += 1
        message_id = uuid.uuid4().hex
        started = time.time()
        attempts = 0
        answered = False
        while not answered and time.time() - started < GIVE_UP_SECONDS:
            if attempts:
                time.sleep(RETRY_PAUSE_SECONDS)
            answered = self.attempt(text, message_id, retry=attempts > 0)
            attempts += 1
        record(
            kind="message",
            sender=self.sender,
            message_id=message_id,
            topic=self.kind,
            at=started,
            ms=(time.time() - started) * 1000,
            attempts=attempts,
            answered=answered,
        )

    def attempt(self, text, message_id, retry):
        """One request; whether it brought the replies."""
        payload = {
            "sender": self.sender,
            "message": text,
            "message_id": message_id,
            "retry": retry,
            "test_traffic": True,
        }
        began = time.time()
        with self.client.post(
            "/webhooks/rest/webhook", json=payload, headers=self.headers, name="message", catch_response=True
        ) as reply:
            ok = reply.status_code == 200 and reply.text.strip().startswith("[") and bool(reply.json())
            record(kind="attempt", at=began, ms=(time.time() - began) * 1000, status=reply.status_code, ok=ok)
            if ok:
                reply.success()
            else:
                reply.failure(f"HTTP {reply.status_code}")
        return ok


@events.quitting.add_listener
def close_ledger(environment, **_):
    LEDGER.close()
