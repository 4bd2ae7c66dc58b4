"""PrefSuite from Python: the generated stubs (prefsuite.v1, prefsuite.health.v1) and a small typed helper.

    import prefsuite
    with prefsuite.connect(pipeline="localhost:50051", scoring="localhost:50052", api_key="...") as client:
        client.score([("sort 3 1 2 =", "1 2 3")])
"""
from prefsuite.client import (
    FINAL_STATES,
    SERVICES,
    Message,
    PrefSuite,
    PromptLike,
    ScoreLike,
    ServiceNotConfigured,
    chat_messages,
    connect,
    prompt,
    score_item,
)

__all__ = [
    "FINAL_STATES",
    "SERVICES",
    "Message",
    "PrefSuite",
    "PromptLike",
    "ScoreLike",
    "ServiceNotConfigured",
    "chat_messages",
    "connect",
    "prompt",
    "score_item",
]
