"""OMI Commons client: a typed library (``Client``) and the ``omi`` command.

    from omi_commons_client import Client

    client = Client("https://commons.example.org", token="omi_...")
    for dataset in client.datasets(search="captions"):
        print(dataset["slug"], dataset["license"])
    version = client.upload_version("my-captions", "captions.jsonl", version="1.0.0")
    run = client.wait_for_validation("my-captions", "1.0.0")

No Django and nothing of the platform is needed; see docs/client.md in the repository.
"""

__version__ = "0.1.0"

from .client import Client
from .errors import (
    ApiError,
    AuthenticationFailed,
    BadRequest,
    ChecksumMismatch,
    Conflict,
    Gone,
    IntegrityError,
    Locked,
    NotFound,
    OmiError,
    PermissionDenied,
    RateLimited,
    ServerError,
    TooLarge,
    TransferError,
    UploadInterrupted,
)

__all__ = [
    "ApiError",
    "AuthenticationFailed",
    "BadRequest",
    "ChecksumMismatch",
    "Client",
    "Conflict",
    "Gone",
    "IntegrityError",
    "Locked",
    "NotFound",
    "OmiError",
    "PermissionDenied",
    "RateLimited",
    "ServerError",
    "TooLarge",
    "TransferError",
    "UploadInterrupted",
    "__version__",
]
