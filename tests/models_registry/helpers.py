"""Small real safetensors files (written with the ``safetensors`` package and numpy)."""

import io
import json
import struct

import numpy as np
from safetensors.numpy import save

MODELSPEC = {
    "modelspec.sai_model_spec": "1.0.0",
    "modelspec.architecture": "stable-diffusion-xl-v1-base",
    "modelspec.implementation": "https://github.com/Stability-AI/generative-models",
    "modelspec.title": "OMI Alpha test",
    "modelspec.resolution": "1024x1024",
}

CARD = {
    "license": "CDLA-Permissive-2.0",
    "code_license": "Apache-2.0",
    "pipeline_tag": "text-to-image",
    "tags": ["omi", "alpha"],
    "intended_uses": "Red-team testing of an alpha model.",
    "out_of_scope_uses": "Production use.",
    "limitations": "Tiny, untrained.",
    "risks": "None known; it draws nothing useful.",
}


def weights(metadata=None, dtype=np.float32) -> bytes:
    tensors = {
        "unet.conv.weight": np.arange(24, dtype=dtype).reshape(2, 3, 4),
        "unet.conv.bias": np.zeros(4, dtype=dtype),
    }
    return save(tensors, metadata=MODELSPEC if metadata is None else metadata)


def raw(header: dict | bytes, data: bytes = b"", declared: int | None = None) -> bytes:
    body = header if isinstance(header, bytes) else json.dumps(header).encode()
    length = len(body) if declared is None else declared
    return struct.pack("<Q", length) + body + data


def stream(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)
