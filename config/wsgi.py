import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Upload temporaries a killed web process left behind (issue 10, item 11).
from datasets_registry.uploads import sweep_stale_temporaries  # noqa: E402

sweep_stale_temporaries()
