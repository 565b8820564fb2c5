import os
import subprocess
from pathlib import Path
from typing import Dict, Iterator, Union

import pytest

from tests.support import servers
from tests.support.channels import ChannelStandIns
from tests.support.staff_webhook import StaffWebhook

ROOT = Path(__file__).resolve().parent.parent
SPACY_PIPELINE = ROOT / "build" / "spacy" / "backpain_en"
MODEL = ROOT / "models" / "backpain.tar.gz"


def find_articles() -> Path:
    """The three source articles: `ARTICLES_DIR`, else `../shared/articles` beside this
    checkout, else beside the repository it was cloned from (a clone made elsewhere,
    such as CI's clean checkout in /tmp)."""
    if os.environ.get("ARTICLES_DIR"):
        return Path(os.environ["ARTICLES_DIR"])
    candidates = [ROOT.parent / "shared" / "articles"]
    origin = subprocess.run(
        ["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    if origin and Path(origin).is_dir():
        candidates.append(Path(origin).resolve().parent / "shared" / "articles")
    return next((path for path in candidates if path.is_dir()), candidates[0])


ARTICLES = find_articles()

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="session")
def nlp():
    import spacy

    return spacy.load(SPACY_PIPELINE)


@pytest.fixture(scope="session")
def server_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("servers")


@pytest.fixture(scope="session")
def staff_webhook() -> Iterator[StaffWebhook]:
    webhook = StaffWebhook()
    yield webhook
    webhook.close()


@pytest.fixture(scope="session")
def action_url(server_dir: Path, staff_webhook: StaffWebhook) -> Iterator[str]:
    with servers.action_server(server_dir, env={"STAFF_WEBHOOK_URL": staff_webhook.url}) as url:
        yield url


@pytest.fixture(scope="session")
def assistant(server_dir: Path, action_url: str) -> Iterator[str]:
    """Base URL of a Rasa server with its action server, as `make run` starts them."""
    with servers.rasa_server(server_dir, action_url, MODEL) as url:
        yield url


@pytest.fixture(scope="session")
def postgres() -> Iterator[Dict[str, Union[str, int]]]:
    """Connection settings of a private PostgreSQL server on loopback (scripts/postgres.sh)."""
    with servers.local_service("postgres.sh") as port:
        yield {
            "dialect": "postgresql",
            "host": "127.0.0.1",
            "port": port,
            "db": "rasa",
            "username": "postgres",
        }


@pytest.fixture(scope="session")
def redis_port() -> Iterator[int]:
    """Port of a private Redis server on loopback (scripts/redis.sh)."""
    with servers.local_service("redis.sh") as port:
        yield port


@pytest.fixture(scope="session")
def channel_standins() -> Iterator[ChannelStandIns]:
    standins = ChannelStandIns()
    yield standins
    standins.close()


@pytest.fixture(scope="session")
def channels_assistant(
    server_dir: Path, action_url: str, channel_standins: ChannelStandIns
) -> Iterator[str]:
    """A Rasa server with every channel on: Slack and Telegram pointed at local stand-ins of
    their APIs, REST behind a bearer token."""
    with servers.rasa_server(
        server_dir, action_url, MODEL, env=channel_standins.environment()
    ) as url:
        yield url
