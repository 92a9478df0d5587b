"""E-mail through an SMTP server (bot/alerts/email.py), against a local one."""

import smtplib

import pytest

from bot.alerts import email
from bot.runtime.services import free_port
from bot.settings import SMTPSettings
from tests.alerts.mailbox import mailbox


def test_a_message_reaches_the_mail_server():
    with mailbox() as box:
        server = SMTPSettings("127.0.0.1", box.port, "none", "", "", "alerts@clinic.test")
        email.send(server, ["nurse@clinic.test", "lead@clinic.test"], "Warning sign: fever", "Open the console.")
        [message] = box.wait_for(0)
    assert (message["From"], message["To"]) == ("alerts@clinic.test", "nurse@clinic.test, lead@clinic.test")
    assert message["Subject"] == "Warning sign: fever"
    assert message.get_content().strip() == "Open the console."


def test_starttls_is_required_when_configured():
    with mailbox() as box:  # a server without TLS: the message is not sent in clear text
        server = SMTPSettings("127.0.0.1", box.port, "starttls", "", "", "alerts@clinic.test")
        with pytest.raises(smtplib.SMTPNotSupportedError):
            email.send(server, ["nurse@clinic.test"], "subject", "text")
        assert box.since(0) == []


def test_an_unreachable_server_raises():
    server = SMTPSettings("127.0.0.1", free_port(), "none", "", "", "alerts@clinic.test")
    with pytest.raises(OSError):
        email.send(server, ["nurse@clinic.test"], "subject", "text")
