"""Handlers that other apps register to apply a decision's consequences.

    from governance.hooks import on_decision

    @on_decision("standard_adoption")
    def adopt(proposal, decision):
        if decision.outcome == "accepted":
            ...

Handlers run inside the transaction that records the decision, for both outcomes: if a handler
raises, the decision is not recorded and the proposal stays open, to be closed on the next run.
Governance never imports the apps that register here.

An app may also check the artifact a proposal targets when the proposal is opened::

    @target_checker("dataset_version")
    def check(target_id: int, sha256: str) -> None:
        ...  # raise config.errors.Invalid("…") if it does not exist or its sha256 differs
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


TargetChecker = Callable[[int, str], None]
_target_checkers: dict[str, TargetChecker] = {}


def target_checker(target_type: str) -> Callable[[TargetChecker], TargetChecker]:
    def register(checker: TargetChecker) -> TargetChecker:
        _target_checkers[target_type] = checker
        return checker

    return register


def check_target(target_type: str, target_id: int, sha256: str) -> None:
    """Run the checker registered for ``target_type``, if any (it raises to refuse)."""
    checker = _target_checkers.get(target_type)
    if checker is not None:
        checker(target_id, sha256)
