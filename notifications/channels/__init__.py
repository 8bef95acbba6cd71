"""How people and systems are told: ``web`` (the inbox and the bell), ``email`` (messages and
digests, with their unsubscribe links) and ``webhooks`` (bodies, signatures and a guarded HTTP
client). The services decide *who* and *when*; these say it."""
