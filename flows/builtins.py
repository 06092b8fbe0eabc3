"""Texts and keywords the language provides so that flow authors need not repeat them.

Built-in texts exist in English and easy-read English. A flow in any other language must give its
own; a missing one is a load error, never a silent fallback to English.
"""

from __future__ import annotations

BUILTIN_LANGUAGES = ("en", "en-easy")

# NHS England's Friends and Family Test, exactly as published (DOMAIN.md): six answers, in order.
FFT_QUESTION = {
    "en": "Overall, how was your experience of our service?",
    "en-easy": "Overall, how was our service?",
}
FFT_OPTIONS: tuple[tuple[str, dict[str, str]], ...] = (
    ("very_good", {"en": "Very good", "en-easy": "Very good"}),
    ("good", {"en": "Good", "en-easy": "Good"}),
    ("neither", {"en": "Neither good nor poor", "en-easy": "Not good and not bad"}),
    ("poor", {"en": "Poor", "en-easy": "Bad"}),
    ("very_poor", {"en": "Very poor", "en-easy": "Very bad"}),
    ("dont_know", {"en": "Don't know", "en-easy": "I don't know"}),
)
FFT_POSITIVE = ("very_good", "good")
FFT_NEGATIVE = ("poor", "very_poor")

YES_NO_OPTIONS: tuple[tuple[str, dict[str, str]], ...] = (
    ("yes", {"en": "Yes", "en-easy": "Yes"}),
    ("no", {"en": "No", "en-easy": "No"}),
)
YES_WORDS = frozenset(
    {
        "yes",
        "y",
        "yeah",
        "yea",
        "yep",
        "yup",
        "ya",
        "aye",
        "ok",
        "okay",
        "sure",
        "yes please",
        "of course",
        "definitely",
        "correct",
        "true",
        "👍",
        "✅",
        "✔",
        "✔️",
    }
)
NO_WORDS = frozenset(
    {
        "no",
        "n",
        "nope",
        "nah",
        "na",
        "no thanks",
        "no thank you",
        "not really",
        "false",
        "👎",
        "❌",
        "✖",
        "✖️",
    }
)

# Keywords matched only when they are the whole message (after trimming case and punctuation).
# STOP mirrors the words Twilio treats as an opt-out, so every channel behaves the same.
DEFAULT_COMMANDS: dict[str, dict[str, tuple[str, ...]]] = {
    "stop": {
        "en": ("stop", "stopall", "unsubscribe", "cancel", "end", "quit", "opt out", "optout"),
        "en-easy": ("stop", "stopall", "unsubscribe", "cancel", "end", "quit", "opt out", "optout"),
    },
    "help": {"en": ("help", "info"), "en-easy": ("help", "info")},
    "skip": {"en": ("skip", "pass"), "en-easy": ("skip", "pass")},
    "restart": {"en": ("restart", "start again"), "en-easy": ("restart", "start again")},
}

# System messages: {placeholders} here are filled by the engine, not from the flow's context.
SYSTEM_MESSAGES: dict[str, dict[str, str]] = {
    "reask_choice": {
        "en": "Sorry, I didn't understand. Please reply with a number from 1 to {count}.",
        "en-easy": "Sorry, I did not understand. Please send a number from 1 to {count}.",
    },
    "reask_multiple": {
        "en": "Sorry, I didn't understand. Please reply with one or more numbers from 1 to "
        "{count}, for example 1,3.",
        "en-easy": "Sorry, I did not understand. Please send one or more numbers from 1 to "
        "{count}. For example: 1,3",
    },
    "reask_yes_no": {
        "en": "Sorry, I didn't understand. Please reply YES or NO.",
        "en-easy": "Sorry, I did not understand. Please send YES or NO.",
    },
    "reask_number": {
        "en": "Sorry, I didn't understand. Please reply with a number from {min} to {max}.",
        "en-easy": "Sorry, I did not understand. Please send a number from {min} to {max}.",
    },
    "reask_text": {
        "en": "Please reply with your answer in a few words.",
        "en-easy": "Please send your answer in a few words.",
    },
    "skip_refused": {
        "en": "Sorry, this question needs an answer.",
        "en-easy": "Sorry, we need an answer to this question.",
    },
    "moving_on": {
        "en": "Never mind, let's move on.",
        "en-easy": "That is OK. Here is the next question.",
    },
    "help": {
        "en": "Reply with the number of your answer. Send SKIP to skip a question you'd rather "
        "not answer, RESTART to start again, or STOP to stop getting these messages.",
        "en-easy": "Send the number of your answer. Send SKIP to miss out a question. "
        "Send RESTART to start again. Send STOP if you do not want any more messages.",
    },
    "restarted": {
        "en": "OK, let's start again.",
        "en-easy": "OK. We will start again.",
    },
    "reminder": {
        "en": "Just a reminder: we would still love to hear from you.",
        "en-easy": "We would still like to hear from you.",
    },
    "expired": {
        "en": "Sorry, this survey has now closed. Thank you for your time.",
        "en-easy": "Sorry, this survey has closed now. Thank you.",
    },
    "opted_out": {
        "en": "You will not get any more messages from us.",
        "en-easy": "We will not send you any more messages.",
    },
}


def is_builtin_text(text: object) -> bool:
    """Built-in texts carry every built-in language; a flow need not use them all."""
    return any(
        text == label
        for label in (
            FFT_QUESTION,
            *(lab for _, lab in FFT_OPTIONS),
            *(lab for _, lab in YES_NO_OPTIONS),
        )
    )
