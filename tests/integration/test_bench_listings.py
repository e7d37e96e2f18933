"""The listings benchmark's bulk copies stay what the real pipeline would have written: the
script checks a sample of them against the application's own projection, and stops if the
application can no longer make its template cases (issue 10, item 3)."""

from __future__ import annotations

from bench.bench_listings import one_size


async def test_the_benchmarks_copies_match_the_pipeline_and_every_figure_is_measured() -> None:
    figures = await one_size(40, repeats=1, sample=4)

    assert set(figures) >= {"head's case list", "Chair's prompts", "sweep per due item"}
    assert all(value > 0 for value in figures.values())
