def seed(*, people, stdout=None) -> None:
    """Demo objects of this app (filled in by the app's issue)."""
