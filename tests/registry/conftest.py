import pytest

from datasets_registry.bootstrap import ensure_omi_dataset_card


@pytest.fixture
def card(db):
    """OMI Dataset Card 1.0.0, adopted (present after migrations; recreated after a flush)."""
    return ensure_omi_dataset_card()
