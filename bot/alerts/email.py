"""E-mail through the clinic's mail server (SMTP_*): the alerts' pages."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from typing import Sequence

from bot.settings import SMTPSettings

TIMEOUT_SECONDS = 20


def send(server: SMTPSettings, to: Sequence[str], subject: str, text: str) -> None:
    """Sends one message to `to`; raises smtplib.SMTPException or OSError if the server refuses or
    cannot be reached."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = server.sender, ", ".join(to), subject
    message.set_content(text)
    context = ssl.create_default_context()
    if server.security == "tls":
        connection: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT_SECONDS, context=context)
    else:
        connection = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
    with connection:
        if server.security == "starttls":
            connection.starttls(context=context)
        if server.username:
            connection.login(server.username, server.password)
        connection.send_message(message)
