"""Enterprise size by Vietnam's SME criteria (Decree 80/2021/NĐ-CP, Article 5).

A size class applies when the average number of employees with social insurance is within its cap and
either the annual revenue or the total capital is within its cap. Money is in billion VND.
"""
from __future__ import annotations

# (size, max employees, max revenue, max capital), smallest first
LIMITS = {
    "industry_construction": [("micro", 10, 3, 3), ("small", 100, 50, 20), ("medium", 200, 200, 100)],
    "trade_services": [("micro", 10, 10, 3), ("small", 50, 100, 50), ("medium", 100, 300, 100)],
}
SIZES = ("micro", "small", "medium", "large")


def enterprise_size(
    industry_group: str | None, employees: float | None, revenue: float | None, capital: float | None
) -> str | None:
    """'micro', 'small', 'medium' or 'large'; None while the answers given cannot settle it."""
    if industry_group not in LIMITS or employees is None:
        return None
    for size, max_employees, max_revenue, max_capital in LIMITS[industry_group]:
        if employees > max_employees:
            continue
        if (revenue is not None and revenue <= max_revenue) or (capital is not None and capital <= max_capital):
            return size
        if revenue is None or capital is None:
            return None  # the missing figure could still place it in this class
    return "large"
