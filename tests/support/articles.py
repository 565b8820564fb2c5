"""The three source articles' files and how their headings become section ids."""

import re

ARTICLE_FILES = {
    "trazodone": "trazodone-for-back-pain.txt",
    "xanax": "xanax-for-back-pain.txt",
    "antidepressants": "antidepressants-for-back-pain.txt",
}


def snake_case(heading: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", heading.lower()).strip("_")
