"""How to talk about a source's data: what one counted unit is and where its prices go.

The pages and the CLI ask the dataset for these words (`Dataset.wording`) instead of
checking which system the data came from, so a page reads the same for every source and a
new source brings its own words. Axiom counts model requests and takes prices in
settings.json's tokenPriceTable; agentx counts tasks (usage_daily.tasks) and takes prices in
`.agentx/pricing/custom.json` (seed 004); Axiom's own page shows $0.00 for models it cannot
price, agentx has no such page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import pricing


@dataclass(frozen=True)
class Wording:
    """The words for one source's data."""

    unit: str                                    # one counted thing: "request", "task"
    price_file: str                              # where a user adds a model's price
    snippet: Callable[[Iterable[str]], str]      # the JSON to paste there for unpriced models
    library_note: str                            # what the price library's prices stand in for

    @property
    def units(self) -> str:
        """The unit in the plural, as a card's title: "Requests", "Tasks"."""
        return f"{self.unit.capitalize()}s"

    def unpriced_hint(self) -> str:
        """The sentence that says where to put the missing prices."""
        return f"Add an entry to {self.price_file} (USD per 1M tokens) and Refresh:"


AXIOM = Wording("request", "tokenPriceTable in settings.json", pricing.settings_snippet,
                "not by settings.json (Axiom's own page shows $0.00 for these)")
AGENTX = Wording("task", ".agentx/pricing/custom.json", pricing.custom_snippet,
                 "not by .agentx/pricing/custom.json")
WORDING = {"axiom": AXIOM, "agentx": AGENTX}


def wording_for(adapter: str) -> Wording:
    """The words of a source adapter (Axiom's for one that brings none)."""
    return WORDING.get(adapter, AXIOM)
