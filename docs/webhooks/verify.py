"""Verifies a xietong webhook (Standard Webhooks signatures) with the Python standard library.

    python3 verify.py message.json

message.json holds {"secret": "whsec_…", "headers": {"webhook-id": …, "webhook-timestamp": …,
"webhook-signature": …}, "body": "<the request body, exactly as received>"}. Prints the change's
sequence number and exits 0 when the message is authentic and recent; exits 1 otherwise.
In a receiver, call verify(secret, headers, raw_body) before trusting the body.
"""

import base64
import hashlib
import hmac
import json
import sys
import time

TOLERANCE_SECONDS = 5 * 60


class InvalidWebhook(Exception):
    """The message is not signed with the secret, or too old or too new."""


def verify(secret: str, headers: dict, body: bytes, now: float | None = None) -> dict:
    """Returns the parsed body if one of its signatures is valid; raises InvalidWebhook otherwise."""
    headers = {name.lower(): value for name, value in headers.items()}
    try:
        msg_id = headers["webhook-id"]
        timestamp = headers["webhook-timestamp"]
        signatures = headers["webhook-signature"]
    except KeyError as missing:
        raise InvalidWebhook(f"missing header {missing}") from None
    now = time.time() if now is None else now
    if not timestamp.isdigit() or abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        raise InvalidWebhook("timestamp outside the tolerance (a replay?)")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    # Several signatures (during a secret rotation), each "v1,<base64>", separated by spaces.
    for candidate in signatures.split(" "):
        version, _, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return json.loads(body)
    raise InvalidWebhook("no valid signature")


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as file:
        message = json.load(file)
    try:
        payload = verify(message["secret"], message["headers"], message["body"].encode("utf-8"))
    except InvalidWebhook as error:
        print(f"rejected: {error}")
        return 1
    print(f"verified {payload['data']['sequence']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
