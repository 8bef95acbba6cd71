"""Upload temporaries a killed web process left behind are swept (issue 10, item 11): at the start
of the web process and of the worker, and hourly from beat; live and unrelated files stay."""

import os
import runpy
import time

import pytest
from celery.signals import worker_ready

from config.celery import app
from datasets_registry import tasks, uploads

HOURS = 3600


@pytest.fixture
def temp_dir(settings, tmp_path):
    folder = tmp_path / "upload-tmp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    settings.UPLOAD_TEMP_MAX_AGE_SECONDS = 6 * HOURS
    return folder


def make(path, *, age: float, size: int = 10):
    path.write_bytes(b"x" * size)
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


@pytest.fixture
def leftovers(temp_dir, tmp_path):
    """What a kill -9 mid-upload leaves, beside files that must stay."""
    outside = make(tmp_path / "precious.jsonl", age=10 * HOURS)
    link = temp_dir / "tmplink.upload.jsonl"
    link.symlink_to(outside)
    os.utime(link, (time.time() - 10 * HOURS,) * 2, follow_symlinks=False)
    return {
        "stale": make(temp_dir / "tmpk3j2h1.upload.jsonl", age=7 * HOURS, size=120_000),
        "stale copy": make(temp_dir / "tmpq9w8e7.upload", age=30 * HOURS),
        "live": make(temp_dir / "tmpa1b2c3.upload.parquet", age=60),
        "unrelated": make(temp_dir / "notes.txt", age=30 * HOURS),
        "link": link,
        "outside": outside,
    }


def test_stale_upload_temporaries_are_removed_and_nothing_else(leftovers):
    assert uploads.sweep_stale_temporaries() == 2
    assert not leftovers["stale"].exists() and not leftovers["stale copy"].exists()
    for kept in ("live", "unrelated", "outside"):
        assert leftovers[kept].exists(), kept
    assert leftovers["link"].is_symlink()  # never followed, never removed


def test_the_age_is_a_setting(leftovers, settings):
    settings.UPLOAD_TEMP_MAX_AGE_SECONDS = 10
    assert uploads.sweep_stale_temporaries() == 3
    assert not leftovers["live"].exists()


def test_beat_sweeps_every_hour(leftovers):
    entry = next(
        e
        for e in app.conf.beat_schedule.values()
        if e["task"] == "datasets_registry.tasks.sweep_upload_temporaries"
    )
    assert entry["schedule"] == 3600.0
    assert tasks.sweep_upload_temporaries() == 2


def test_a_worker_sweeps_when_it_starts(leftovers):
    worker_ready.send(sender=None)
    assert not leftovers["stale"].exists()


def test_the_web_process_sweeps_when_it_starts(leftovers):
    runpy.run_module("config.wsgi")
    assert not leftovers["stale"].exists() and leftovers["live"].exists()


def test_nothing_is_swept_from_the_system_temporary_folder(settings):
    settings.FILE_UPLOAD_TEMP_DIR = None
    assert uploads.sweep_stale_temporaries() == 0
