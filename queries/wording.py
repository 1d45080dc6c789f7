"""How to talk about a source's data: what one counted unit is and where its prices go.

The pages and the CLI ask the dataset for these words (`Dataset.wording`, which is the
source kind's `wording`) instead of checking which system the data came from, so a page
reads the same for every source and a new source brings its own words (e.g. Axiom counts
model requests and takes prices in settings.json's tokenPriceTable; agentx counts tasks and
takes prices in `.agentx/pricing/custom.json`, seed 004; see queries/sources/).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable


@dataclass(frozen=True)
class Wording:
    """The words for one source's data."""

    unit: str                                    # one counted thing: "request", "task"
    price_file: str                              # where a user adds a model's price
    snippet: Callable[[Iterable[str]], str]      # the JSON to paste there for unpriced models
    library_note: str                            # what the price library's prices stand in for
    price_key: str = ""                          # the short name of where prices go: "tokenPriceTable"

    @property
    def units(self) -> str:
        """The unit in the plural, as a card's title: "Requests", "Tasks"."""
        return f"{self.unit.capitalize()}s"

    def unpriced_hint(self) -> str:
        """The sentence that says where to put the missing prices."""
        return f"Add an entry to {self.price_file} (USD per 1M tokens) and Refresh:"
