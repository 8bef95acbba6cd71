"""Standards and datasets are findable (see ``config.search``). A private dataset is found only
by the people who may see it (its owner, its maintainers, staff: ``Dataset.objects.visible_to``)."""

from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.search import Kind, Result, register

from .models import Dataset, MetadataStandard


def _snippet(text: str) -> str:
    return Truncator(" ".join((text or "").split())).words(30)


register(
    Kind(
        name="standards",
        label=_("Standards"),
        visible=lambda user: MetadataStandard.objects.select_related("group"),
        fields=(("name", "A"), ("description", "C")),
        keys=("slug",),
        order=("name", "pk"),
        position=50,
        result=lambda s: Result(
            "standards", s.name, s.get_absolute_url(), _snippet(s.description), s.group.name
        ),
    )
)

register(
    Kind(
        name="datasets",
        label=_("Datasets"),
        visible=lambda user: Dataset.objects.visible_to(user),
        fields=(("name", "A"), ("summary", "B"), ("description", "C")),
        keys=("slug",),
        order=("-created_at", "-pk"),
        position=60,
        result=lambda d: Result(
            "datasets",
            d.name,
            d.get_absolute_url(),
            _snippet(d.summary or d.description),
            d.license if d.is_public else gettext("%(license)s · private") % {"license": d.license},
        ),
    )
)
