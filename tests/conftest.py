"""Shared fixtures: a throwaway PostgreSQL server, and a fresh database URL per test on each backend."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

PG_USER = "postgres"


def _find_pg_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root, so when we are root run its tools as the postgres user."""
    if os.geteuid() != 0:
        return command
    if shutil.which("runuser"):
        return ["runuser", "-u", PG_USER, "--", *command]
    return ["su", PG_USER, "-s", "/bin/sh", "-c", subprocess.list2cmdline(command)]


def _admin_execute(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(statement)


@pytest.fixture(scope="session")
def pg_url():
    """Start a PostgreSQL server for the test session; yield a SQLAlchemy URL to an empty database."""
    initdb = _find_pg_binary("initdb")
    if initdb is None:
        pytest.skip("PostgreSQL not installed (initdb not found); install Debian's postgresql package")
    pg_ctl = _find_pg_binary("pg_ctl") or str(Path(initdb).with_name("pg_ctl"))
    pytest.importorskip("psycopg", reason="psycopg not installed; pip install 'psycopg[binary]'")

    running_as_root = os.geteuid() == 0
    if running_as_root:
        try:
            owner = pwd.getpwnam(PG_USER)
        except KeyError:
            pytest.skip(f"running as root needs a '{PG_USER}' system user to start PostgreSQL")

    # Not pytest's tmp_path: its parent directories are private to root and the server could not enter them.
    base = Path(tempfile.mkdtemp(prefix="chancery-pg-"))
    data_dir = base / "data"
    log_file = base / "server.log"
    if running_as_root:
        os.chown(base, owner.pw_uid, owner.pw_gid)

    def run(command: list[str]) -> None:
        result = subprocess.run(_as_postgres(command), capture_output=True, text=True, cwd=base, check=False)
        if result.returncode != 0:
            log = log_file.read_text(errors="replace") if log_file.exists() else ""
            shutil.rmtree(base, ignore_errors=True)
            pytest.fail(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}\n{log}")

    run([initdb, "-D", str(data_dir), "-U", PG_USER, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"])
    port = _free_port()
    server_options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={base}"
        " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    run([pg_ctl, "-D", str(data_dir), "-l", str(log_file), "-o", server_options, "-w", "-t", "60", "start"])
    try:
        server = f"postgresql+psycopg://{PG_USER}@127.0.0.1:{port}"
        _admin_execute(f"{server}/postgres", "CREATE DATABASE chancery_test")
        yield f"{server}/chancery_test"
    finally:
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data_dir), "-m", "fast", "-w", "stop"]),
            capture_output=True, cwd=base, check=False,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    """A URL to a fresh, empty database: a SQLite file, or a new database on the test PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'chancery.db'}"
        return
    base_url = request.getfixturevalue("pg_url")
    server, _, _ = base_url.rpartition("/")
    name = f"test_{uuid.uuid4().hex[:12]}"
    _admin_execute(f"{server}/postgres", f"CREATE DATABASE {name}")
    yield f"{server}/{name}"
    _admin_execute(f"{server}/postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def demo_articles():
    """The bundled demo corpus, analysed once per test session (with its manifest and outlets)."""
    from importlib import resources

    from chancery.manifest import Manifest
    from chancery.pipeline import Pipeline, run
    from chancery.records import Article

    with resources.as_file(resources.files("chancery") / "demo") as folder:
        pipeline = Pipeline(outlet_files=(str(folder / "outlets.toml"),))
        items = run([folder / "articles"], pipeline=pipeline, manifest=Manifest.load(folder / "manifest.csv"))
        return [item for item in items if isinstance(item, Article)]
