"""Reading while an ingest writes, and two ingests at once: no "database is locked" reaches a reader,
no article or event is stored twice."""
from __future__ import annotations

import subprocess
import time

import pytest
from fastapi.testclient import TestClient
from test_crash_safety import fresh_url, ingest_command, snapshot

from chancery.api import create_app
from chancery.storage import open_store


@pytest.mark.slow
def test_the_api_answers_while_an_ingest_writes(request, tmp_path):
    url = fresh_url(request, tmp_path, "sqlite", "busy")
    with open_store(url) as store:  # the schema exists before the reader starts
        client = TestClient(create_app(store=store))
        writer = subprocess.Popen(ingest_command(url), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        answers, seen = [], set()
        while writer.poll() is None:
            for path in ("/api/events?limit=5", "/api/overview", "/api/articles?search=summit", "/api/stories"):
                answer = client.get(path)
                answers.append(answer.status_code)
                assert answer.status_code == 200, answer.text
            seen.add(client.get("/api/overview").json()["counts"]["articles"])
            time.sleep(0.05)
        assert writer.returncode == 0, writer.stderr.read()
        assert len(answers) > 20 and max(seen) <= 18
        assert client.get("/api/overview").json()["counts"]["articles"] == 18


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_two_ingests_at_once_store_everything_once(request, tmp_path, backend):
    reference_url = fresh_url(request, tmp_path, backend, "alone")
    assert subprocess.run(ingest_command(reference_url), capture_output=True, timeout=600, check=False).returncode == 0
    url = fresh_url(request, tmp_path, backend, "together")
    writers = [subprocess.Popen(ingest_command(url), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    for writer in writers:
        writer.wait(timeout=600)
        assert writer.returncode == 0, writer.stderr.read()
    together = snapshot(url)
    assert together == snapshot(reference_url)
    assert len(together["articles"]) == 18 and len(set(together["events"])) == len(together["events"])
