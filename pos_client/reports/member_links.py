"""The member-sales links the activity KPIs count over, defined once for the terminal and HQ.

Each counted member sale carries the times of the member's two previous counted sales (`prev_at`, `prev2_at`:
`pos_client.reports.projection`, "member_sales"), so active, repeat and churned members are filtered counts over
one index range (`pos_client.reports.kpis`). `previous_two` is that rule: the terminal's relinking after a full
refund and its rebuild, and HQ's projection (`sync.hq.kpi_projection`), all call it (issue #12). A new sale on
the terminal takes its links from the same rule read incrementally (`projection.project_sale`: the two latest
before it, and it becomes the previous of up to two later ones), which the projection tests compare with the
rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable

Links = tuple[int | None, int | None]


def previous_two(times: Iterable[int]) -> list[Links]:
    """For one member's counted sales in their order (time, then insertion), each one's (previous, the one
    before) sale times; None where there is none."""
    links: list[Links] = []
    prev: Links = (None, None)
    for at in times:
        links.append(prev)
        prev = (at, prev[0])
    return links
