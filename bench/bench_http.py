"""The web over HTTP, as people use it: the README's production server (gunicorn with
config/gunicorn.conf.py, DEBUG=0) on a throw-away database, loaded by wrk (a real load generator,
`apt-get install wrk`) with 32 concurrent connections, beside a trivial JSON view on the same
server in the same run (the ceiling; the ratio is what holds on a noisy machine).

PostgreSQL and Redis when DATABASE_URL and CELERY_BROKER_URL are set (CI's services), else SQLite
and the filesystem broker: what `make run` serves. BENCH_HTTP_SECONDS (default 20) sets each run's
length, BENCH_HTTP_CLIENTS (default 32) the connections and BENCH_HTTP_ONLY (say "vote,dataset
list") which endpoints run. After a full run it runs `make run`'s configuration too (SQLite, the
filesystem broker, 64 connections, the vote endpoint: issue 17's target 5) in a child process;
BENCH_HTTP_MAKE_RUN=0 skips that.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throwaway import ROOT, django_setup, throwaway_database

_tmp = django_setup("http")

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

SECONDS = int(os.environ.get("BENCH_HTTP_SECONDS", 20))
# The second scenario of issue 17 (target 5): `make run`'s configuration (SQLite, the filesystem
# broker) at 64 clients on the vote endpoint; run by the first one in a child process.
MAKE_RUN = os.environ.get("BENCH_HTTP_SCENARIO") == "make run"
CLIENTS = int(os.environ.get("BENCH_HTTP_CLIENTS", 32))
WRK_THREADS = 2
VOTERS = 200
# Enough people for every survey answer of a run to be someone's first (one answer per person):
# past them, answers are refused as repeats (403) and counted as errors.
RESPONDENTS = int(os.environ.get("BENCH_HTTP_RESPONDENTS", 1000 * SECONDS))
ONLY = {name.strip() for name in os.environ.get("BENCH_HTTP_ONLY", "").split(",") if name.strip()}
LUA = Path(__file__).resolve().parent / "http" / "rotate.lua"
TARGETS = {"vote": 300, "survey answer": 300, "dataset list": 500, "proposal page": 300}
if MAKE_RUN:
    TARGETS = {"vote": 150}


def seed(tmp: Path) -> dict:
    """The people, tokens, group, open vote, open survey and datasets the runs use."""
    from accounts.models import ApiToken, User, hash_token
    from datasets_registry import services as registry
    from datasets_registry.bootstrap import ensure_omi_dataset_card
    from datasets_registry.standards import example_card
    from governance import services as governance
    from governance.models import Membership
    from surveys import services as surveys
    from surveys.answers import specs_for

    staff = User.objects.create(username="bench-staff", is_staff=True)
    chair = User.objects.create(username="bench-chair")
    group = governance.group_create(slug="bench", name="Bench", actor=staff, chair=chair)
    voters = User.objects.bulk_create(User(username=f"voter{i}") for i in range(VOTERS))
    for voter in voters:
        governance.membership_grant(
            group=group, user=voter, role=Membership.Role.COMMITTER, reason="bench"
        )
    proposal = governance.proposal_create(
        group=group,
        author=chair,
        kind="general",
        title="Adopt the bench charter",
        summary="A proposal with a discussion and a vote.",
        body="## Why\n\nBecause a page needs a body.\n\n" * 5,
    )
    governance.proposal_to_discussion(proposal=proposal, actor=chair)
    for voter in voters[:20]:
        governance.comment_add(proposal=proposal, author=voter, body="I agree, with one remark.")
    governance.proposal_open_voting(
        proposal=proposal, actor=chair, closes_at=timezone.now() + timedelta(days=1)
    )
    for voter in voters[:100]:
        governance.vote_cast(proposal=proposal, voter=voter, choice="yes")

    respondents = User.objects.bulk_create(
        User(username=f"respondent{i}") for i in range(RESPONDENTS)
    )
    secrets: dict[str, list[str]] = {"voters": [], "respondents": []}
    rows = []
    for role, people in (("voters", voters), ("respondents", respondents)):
        for person in people:
            key = ApiToken.generate_key()
            secrets[role].append(key)
            rows.append(
                ApiToken(user=person, name="bench", prefix=key[:12], key_hash=hash_token(key))
            )
    ApiToken.objects.bulk_create(rows, batch_size=2000)

    survey = surveys.survey_create(
        definition={
            "title": "Bench survey",
            "sections": [
                {
                    "title": "Only",
                    "questions": [
                        {
                            "key": "role",
                            "kind": "single_choice",
                            "prompt": "Your role?",
                            "required": True,
                            "options": ["Artist", "Developer", "Researcher"],
                        },
                        {
                            "key": "consent",
                            "kind": "scale",
                            "prompt": "Consent matters?",
                            "required": True,
                            "constraints": {"min": 1, "max": 5},
                        },
                    ],
                }
            ],
        },
        actor=staff,
    )
    survey = surveys.survey_open(survey=survey, actor=staff)
    specs = {spec.key: spec for spec in specs_for(survey)}
    answers = {str(specs["role"].id): specs["role"].options[0][0], str(specs["consent"].id): 4}

    standard = ensure_omi_dataset_card()
    for i in range(60):
        registry.dataset_register(
            actor=staff,
            name=f"Bench captions {i}",
            license="CC-BY-4.0",
            standard=standard,
            metadata=example_card(),
            summary="Captions for the benchmark.",
        )
    for role, keys in secrets.items():
        (tmp / f"{role}.tokens").write_text("\n".join(keys) + "\n")
    return {
        "vote": f"/api/v1/groups/bench/proposals/{proposal.number}/votes/",
        "survey": f"/api/v1/surveys/{survey.slug}/responses/",
        "survey_body": json.dumps({"answers": answers}),
        "proposal_page": f"/groups/bench/proposals/{proposal.number}/",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(tmp: Path, port: int) -> dict[str, str]:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        database_url = f"sqlite:///{db['NAME']}"
    else:
        database_url = (
            f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.http.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp / "state"),
        "PORT": str(port),
        "WEB_BIND": f"127.0.0.1:{port}",
        "PYTHONPATH": str(ROOT),
    }
    return env


def start_server(env: dict[str, str]) -> subprocess.Popen:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(env["DATA_DIR"]) / "gunicorn.log", "w"),  # noqa: SIM115
        start_new_session=True,
    )
    port = int(env["PORT"])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: see {env['DATA_DIR']}/gunicorn.log")
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start listening")


def wrk(url: str, *, method="GET", body="", tokens: Path | None = None, once=False) -> dict:
    env = {
        **os.environ,
        "WRK_METHOD": method,
        "WRK_BODY": body,
        "WRK_TOKENS": str(tokens or ""),
        "WRK_ONCE": "1" if once else "0",
        "WRK_THREADS": str(WRK_THREADS),
    }
    out = subprocess.run(
        ["wrk", "-t", str(WRK_THREADS), "-c", str(CLIENTS), "-d", f"{SECONDS}s", "--timeout", "10s",
         "-s", str(LUA), url],
        env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    result = json.loads(out.strip().splitlines()[-1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
    return result


def report(label: str, result: dict, ceiling: float | None, target: int | None) -> None:
    ratio = f"{result['rps'] / ceiling:.2f} of trivial" if ceiling else "the ceiling"
    goal = f"(target >= {target}/s, p99 < 100 ms, >= 0.25 of trivial)" if target else ""
    if target and MAKE_RUN:
        goal = f"(target >= {target}/s with zero errors)"
    print(
        f"{label:<15} {result['rps']:>8.1f} requests/s  p50 {result['p50_us'] / 1000:6.1f} ms  "
        f"p99 {result['p99_us'] / 1000:7.1f} ms  errors {result['errors']:>5}  {ratio}  {goal}",
        flush=True,
    )


def main() -> None:
    if shutil.which("wrk") is None:
        print(
            "wrk is not installed (apt-get install wrk): the HTTP benchmark needs a real load generator"
        )
        return
    with throwaway_database("http", _tmp):
        started = time.perf_counter()
        urls = seed(_tmp)
        connection.close()
        port = free_port()
        env = server_environment(_tmp, port)
        Path(env["DATA_DIR"]).mkdir(parents=True, exist_ok=True)
        print(
            f"seeded {VOTERS} voters and {RESPONDENTS} respondents with tokens in "
            f"{time.perf_counter() - started:.1f} s; {connection.vendor}, "
            f"broker {settings.CELERY_BROKER_URL.split(':')[0]}, {CLIENTS} connections, "
            f"{SECONDS} s a run, {os.cpu_count()} cores shared by server and load generator",
            flush=True,
        )
        server = start_server(env)
        base = f"http://127.0.0.1:{port}"
        try:
            wrk(base + "/bench/trivial/")  # warm every worker up; not counted
            trivial = wrk(base + "/bench/trivial/")
            report("trivial JSON", trivial, None, None)
            ceiling = trivial["rps"]
            voters = _tmp / "voters.tokens"
            runs = {
                "vote": lambda: wrk(
                    base + urls["vote"], method="POST", body='{"choice": "no"}', tokens=voters
                ),
                "survey answer": lambda: wrk(
                    base + urls["survey"],
                    method="POST",
                    body=urls["survey_body"],
                    tokens=_tmp / "respondents.tokens",
                    once=True,
                ),
                "dataset list": lambda: wrk(base + "/api/v1/datasets/", tokens=voters),
                "proposal page": lambda: wrk(base + urls["proposal_page"]),
            }
            runs = {label: run() for label, run in runs.items() if not ONLY or label in ONLY}
            for label, result in runs.items():
                report(label, result, ceiling, TARGETS[label])
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    if not MAKE_RUN and not ONLY and os.environ.get("BENCH_HTTP_MAKE_RUN", "1") != "0":
        run_make_run_scenario()


def run_make_run_scenario() -> None:
    """`make run`'s configuration in a fresh process: its settings are read at start-up."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "DATA_DIR")
    }
    env.update(
        BENCH_HTTP_SCENARIO="make run",
        BENCH_HTTP_CLIENTS="64",
        BENCH_HTTP_ONLY="vote",
        BENCH_HTTP_RESPONDENTS="10",
    )
    print("\n`make run`'s configuration (SQLite, filesystem broker), 64 connections:", flush=True)
    subprocess.run([sys.executable, __file__], env=env, check=True)


if __name__ == "__main__":
    main()
