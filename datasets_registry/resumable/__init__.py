"""Resumable uploads: the tus 1.0 protocol at ``/api/v1/uploads/``.

A client creates an upload (``POST`` with ``Upload-Length``), sends its bytes in one or more
``PATCH`` requests, asks how far it got with ``HEAD`` after a dropped connection and carries on
from there. A completed upload is then used, once, in place of a ``file`` part when a dataset
version is created (``upload_id``). See docs/client.md ("Resumable uploads on the server").

Modules: ``models`` (the ``Upload`` row: the offset the server vouches for), ``storage`` (the
partial file under ``DATA_DIR``, its lock and the running sha256), ``services`` (every write),
``tus`` (header parsing), ``api`` (the protocol's HTTP side), ``tasks`` (expiry).
"""
