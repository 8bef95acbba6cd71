"""Demo people, documented in README.md ("The demo community"). Password: ``demo`` for all."""

from allauth.account.models import EmailAddress

from .models import User

DEMO_PASSWORD = "demo"  # noqa: S105  (documented demo credential, refused outside DEBUG)

DEMO_PEOPLE = [
    ("demo-admin", "Ada Admin", "OMI Commons", True),
    ("demo-chair", "Chidi Chair", "Open Model Initiative", False),
    *[
        (f"demo-committer{i}", name, affiliation, False)
        for i, (name, affiliation) in enumerate(
            [
                ("Kofi Mensah", "Invoke"),
                ("Lena Vogel", "ComfyOrg"),
                ("Mei Tanaka", "Civitai"),
                ("Ravi Iyer", "Independent"),
                ("Sofia Ruiz", "University lab"),
            ],
            start=1,
        )
    ],
    ("demo-contributor", "Cato Contributor", "Independent", False),
    ("demo-observer", "Olu Observer", "", False),
]


def seed(*, stdout=None) -> dict[str, User]:
    """Create (or refresh) the demo people; returns them by username. Idempotent."""
    people: dict[str, User] = {}
    for username, display_name, affiliation, is_admin in DEMO_PEOPLE:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@example.org",
                "display_name": display_name,
                "affiliation": affiliation,
                "is_staff": is_admin,
                "is_superuser": is_admin,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        people[username] = user
    if stdout:
        stdout.write(f"  people: {len(people)} demo accounts (password '{DEMO_PASSWORD}')")
    return people
