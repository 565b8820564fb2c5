"""A local stand-in for a staff webhook (such as a Slack incoming webhook) that records posts."""

from typing import List

from tests.support.recording_server import RecordingServer


class StaffWebhook(RecordingServer):
    def __init__(self) -> None:
        super().__init__()
        self.url = f"{self.url}/hook"

    @property
    def posts(self) -> List[dict]:
        return [body for _, body in self.received]

    def notices_for(self, conversation: str) -> List[str]:
        return [
            post["text"] for post in self.posts if f"conversation {conversation}." in post["text"]
        ]
