"""`Domain.is_empty` without building an empty domain on every message.

Rasa 3.6's processor asks `self.domain.is_empty()` for every parsed message
(`MessageProcessor._check_for_unseen_features`), and `is_empty` compares the domain with
`Domain.empty().as_dict()`, building a new empty `Domain` each time: about 2% of a message's
time here. The empty domain's dictionary is built once instead; the comparison is Rasa's.
"""

from functools import lru_cache
from typing import Any, Dict, Text

from rasa.shared.core.domain import Domain

from backpain_assistant.rasa_speedups.source_checks import require_source

RASAS_IS_EMPTY = "return self.as_dict() == Domain.empty().as_dict()"


@lru_cache(maxsize=1)
def empty_domain_as_dict() -> Dict[Text, Any]:
    return Domain.empty().as_dict()


def is_empty(domain: Domain) -> bool:
    return domain.as_dict() == empty_domain_as_dict()


def use_cached_empty_domain() -> None:
    if Domain.is_empty is is_empty:
        return
    require_source(
        Domain.is_empty,
        RASAS_IS_EMPTY,
        message="Domain.is_empty has changed in this Rasa version; review rasa_speedups.domain.",
    )
    Domain.is_empty = is_empty
