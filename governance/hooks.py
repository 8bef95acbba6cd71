"""Handlers that other apps register to apply a decision's consequences.

    from governance.hooks import on_decision

    @on_decision("standard_adoption")
    def adopt(proposal, decision):
        if decision.outcome == "accepted":
            ...

Handlers run inside the transaction that records the decision, for both outcomes: if a handler
raises, the decision is not recorded and the proposal stays open, to be closed on the next run.
Governance never imports the apps that register here.
"""

from collections import defaultdict
from collections.abc import Callable

Handler = Callable[..., None]
_handlers: dict[str, list[Handler]] = defaultdict(list)


def on_decision(kind: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if handler not in _handlers[kind]:
            _handlers[kind].append(handler)
        return handler

    return register


def handlers_for(kind: str) -> list[Handler]:
    return list(_handlers.get(kind, ()))


def run(proposal, decision) -> None:
    for handler in handlers_for(proposal.kind):
        handler(proposal, decision)
