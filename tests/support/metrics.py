"""Scraping a server's ``/metrics`` into ``{(name, labels): value}`` for assertions."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

Sample = tuple[str, frozenset[tuple[str, str]]]


async def scrape(base_url: str) -> dict[Sample, float]:
    """Every sample of ``GET /metrics``, keyed by sample name and label set."""
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        response = await http.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples: dict[Sample, float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[sample.name, frozenset(sample.labels.items())] = sample.value
    return samples


def value(samples: dict[Sample, float], name: str, **labels: str) -> float:
    """One sample's value (0 when absent, as a counter that never moved)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def delta(
    before: dict[Sample, float], after: dict[Sample, float], name: str, **labels: str
) -> float:
    """How far a sample moved between two scrapes."""
    return value(after, name, **labels) - value(before, name, **labels)
