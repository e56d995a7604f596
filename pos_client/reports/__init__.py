"""Manager reports: the program's KPIs, their chart series and CSV exports, computed in SQL (no Qt).

The dashboard (ui/) and `kupa report` both call these functions; neither computes a figure itself.
"""

from pos_client.reports.export import write_figures_csv, write_members_csv
from pos_client.reports.kpis import FIGURE_KEYS, PROGRAM_KEYS, Kpis, compute_kpis

__all__ = ["FIGURE_KEYS", "PROGRAM_KEYS", "Kpis", "compute_kpis", "write_figures_csv", "write_members_csv"]
