from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from central import service
from central.app import create_app
from central.db import make_engine
from tests.central.backends import BACKENDS, database, drop_session_schemas
from tests.sync.helpers import sample_item


@pytest.fixture(scope="session", autouse=True)
def _drop_leftover_schemas() -> Iterator[None]:
    yield
    drop_session_schemas()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    with database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(db_url: str):
    created = make_engine(db_url)
    yield created
    created.dispose()


@pytest.fixture
async def client(engine) -> httpx.AsyncClient:
    app = create_app(engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://central.test"
    ) as http:
        yield http


@pytest.fixture
def token(engine) -> str:
    return service.issue_token(engine, "laptop-1")


@pytest.fixture
def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


__all__ = ["sample_item"]
