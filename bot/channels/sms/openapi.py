"""What the SMS webhooks accept and answer, described for the OpenAPI schema.

The routes read Twilio's form themselves (the signature covers the raw form), so FastAPI cannot
infer a request body; without these the published schema said "no body" and "returns JSON"
for routes that take a form and answer TwiML.
"""

from __future__ import annotations

from typing import Any

from fastapi import Response

ID = {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}
SIGNATURE = {
    "name": "X-Twilio-Signature",
    "in": "header",
    "required": True,
    "description": "HMAC-SHA1 of the public URL and the form, under the Twilio auth token.",
    "schema": {"type": "string"},
}


class TwiML(Response):
    media_type = "application/xml"


def _form(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema = {"type": "object", "properties": properties, "required": required}
    return {
        "parameters": [SIGNATURE],
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": schema}},
        },
    }


def _problem(description: str) -> dict[str, Any]:
    schema = {"type": "object", "properties": {"error": {"type": "string"}}}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: _problem("A required field is missing, too long, or not a valid id."),
    403: _problem("The X-Twilio-Signature does not match."),
    413: _problem("The body is larger than the limit."),
}

INBOUND = _form(
    {
        "MessageSid": {**ID, "description": "Twilio's id of the message, e.g. SM + 32 hex."},
        "From": {"type": "string", "maxLength": 64, "description": "The sender, E.164."},
        "To": {"type": "string"},
        "Body": {"type": "string", "maxLength": 10_000},
        "AccountSid": {"type": "string"},
        "NumMedia": {"type": "string"},
        "OptOutType": {"type": "string", "enum": ["STOP", "START", "HELP"]},
    },
    ["MessageSid", "From"],
)
INBOUND_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "TwiML: the replies to send, or an empty <Response/>.",
        "content": {"application/xml": {"schema": {"type": "string"}}},
    },
    **PROBLEMS,
}

STATUS = _form(
    {
        "MessageSid": ID,
        "MessageStatus": {**ID, "description": "queued, sent, delivered, undelivered, failed…"},
        "ErrorCode": {**ID, "description": "Twilio's error code, e.g. 21610."},
    },
    ["MessageSid", "MessageStatus"],
)
STATUS_RESPONSES: dict[int | str, dict[str, Any]] = {
    204: {"description": "Recorded (or the message is not ours)."},
    **PROBLEMS,
}
