"""Outgoing email: plain text through the configured SMTP server, nothing about it logged."""

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from registry.settings import Settings

# Seconds to wait on the SMTP server for any one step (connect, a command, its answer).
TIMEOUT = 30
# What a failed attempt raises: SMTP refusals, and network and TLS failures (OSError).
ERRORS = (smtplib.SMTPException, OSError)
FOOTER = "\n\n-- \nSent automatically by the Pigment Registry; replies are not read.\n"


def configured(settings: Settings) -> bool:
    """Whether email goes out at all: only once an SMTP host is set."""
    return bool(settings.smtp_host)


def one_line(value: str) -> str:
    """Header text on one line: record fields may hold line breaks, a header may not."""
    return " ".join(str(value).split())


def compose(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = one_line(subject)
    message["Date"] = formatdate(usegmt=True)
    # The sender's own domain names the message; looking up this host's name could be slow.
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body.rstrip("\n") + FOOTER)
    return message


class Outbox:
    """One connection to the SMTP server for a batch of messages.

    Opening connects, upgrades to TLS when smtp_starttls is set and signs in when a user name
    is set; any failure raises one of ERRORS. Failures name no recipient and no content."""

    def __init__(self, settings: Settings, timeout: float = TIMEOUT):
        self.settings = settings
        self.timeout = timeout
        self.smtp: smtplib.SMTP | None = None

    def open(self) -> "Outbox":
        settings = self.settings
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=self.timeout)
        try:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password)
        except BaseException:
            smtp.close()
            raise
        self.smtp = smtp
        return self

    def send(self, to: str, subject: str, body: str) -> None:
        if self.smtp is None:
            raise smtplib.SMTPServerDisconnected("the outbox is not open")
        self.smtp.send_message(compose(self.settings, to, subject, body))

    def close(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except ERRORS:
            smtp.close()

    def __enter__(self) -> "Outbox":
        return self.open()

    def __exit__(self, *_exc) -> None:
        self.close()


def send(settings: Settings, to: str, subject: str, body: str) -> None:
    """Send one plain-text message; raises one of ERRORS if it could not be handed over."""
    with Outbox(settings) as outbox:
        outbox.send(to, subject, body)


def describe_failure(exc: BaseException) -> str:
    """A short account of a failed attempt, for the record that was not sent (never logged:
    a server's refusal may quote the recipient's address)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "SMTPRecipientsRefused: the server refused the recipient"
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = exc.smtp_error
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        return f"{type(exc).__name__}: {exc.smtp_code} {one_line(detail)}"[:500]
    return f"{type(exc).__name__}: {one_line(str(exc))}"[:500]
