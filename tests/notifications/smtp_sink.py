"""The aiosmtpd handler our SMTP server process runs: keeps mail in a maildir, refuses some addresses.

`bounce…@` gets 550 (permanent), `busy…@` gets 451 (try later); the reply to DATA names the stored key,
as real servers answer "queued as …". VRFY answers with the maildir, so a test knows the server is its own.
"""

from aiosmtpd.handlers import Mailbox


class Maildir(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0]
        if local.startswith("bounce"):
            return "550 5.1.1 mailbox unavailable"
        if local.startswith("busy"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        key = self.mailbox.add(self.prepare_message(session, envelope))
        return f"250 2.0.0 Ok: queued as {key}"

    async def handle_VRFY(self, server, session, envelope, address):
        return f"252 {self.mail_dir}"
