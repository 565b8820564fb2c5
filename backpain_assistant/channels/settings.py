"""Channel secrets come from the environment; credentials.yml names the variables."""

import hmac
import os
from typing import Any, Dict, List, Optional, Text, Tuple


def from_environment(
    credentials: Optional[Dict[Text, Any]], *keys: Text
) -> Tuple[Dict[Text, Optional[Text]], List[Text]]:
    """The values of `<key>_env` variables named in credentials, and the names of those unset."""
    credentials = credentials or {}
    values, missing = {}, []
    for key in keys:
        variable = credentials.get(f"{key}_env")
        value = os.environ.get(variable, "").strip() if variable else ""
        values[key] = value or None
        if not value and variable:
            missing.append(variable)
    return values, missing


def same_secret(given: Text, expected: Text) -> bool:
    """A constant-time comparison that also takes non-ASCII input: `hmac.compare_digest`
    raises TypeError on a str with non-ASCII characters, which a forged header can carry."""
    return hmac.compare_digest(
        given.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape")
    )
