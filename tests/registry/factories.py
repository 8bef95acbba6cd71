import copy
import gzip
import hashlib
import io
import json

import factory

from datasets_registry.bootstrap import ensure_omi_dataset_card
from datasets_registry.models import Dataset, DatasetVersion
from datasets_registry.standards import example_card
from tests.factories import UserFactory

VALID_METADATA = example_card()  # datasets_registry/standards/omi-dataset-card-1.0.0.example.json


def metadata(**overrides):
    data = copy.deepcopy(VALID_METADATA)
    data.update(overrides)
    return data


def jsonl_bytes(rows=3) -> bytes:
    lines = [
        json.dumps({"file_name": f"img{i}.jpg", "text": f"a photo of a red cat number {i}"})
        for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def csv_bytes(rows=3) -> bytes:
    out = "url,caption,license\n" + "".join(
        f'https://example.org/{i}.jpg,"a cat, sitting {i}",CC-BY-4.0\n' for i in range(rows)
    )
    return out.encode()


def gz(data: bytes) -> bytes:
    return gzip.compress(data)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parquet_bytes(rows=3) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {"url": [f"https://e.org/{i}.jpg" for i in range(rows)], "TEXT": ["a dog"] * rows}
    )
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


class DatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dataset
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"dataset-{n}")
    name = factory.Sequence(lambda n: f"Dataset {n}")
    summary = "A caption dataset."
    owner = factory.SubFactory(UserFactory)
    license = "CC-BY-4.0"
    standard_version = factory.LazyFunction(ensure_omi_dataset_card)
    metadata = factory.LazyFunction(lambda: copy.deepcopy(VALID_METADATA))


class DatasetVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DatasetVersion

    dataset = factory.SubFactory(DatasetFactory)
    version = factory.Sequence(lambda n: f"1.0.{n}")
    file = factory.django.FileField(filename="captions.jsonl", data=jsonl_bytes())
    format = "jsonl"
    size = len(jsonl_bytes())
    sha256 = sha(jsonl_bytes())
    row_count = 3
    column_mapping = {"caption": "text", "image": "file_name", "license": None}
