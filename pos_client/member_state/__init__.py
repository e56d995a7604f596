"""A member's state — tier and qualifying spend, point lots and FIFO expiry, birthday month, paid plans and
their monthly credit, stamps — defined once.

- `rules`: the pure rules (days, window, expiry, birthday month, renewals, monthly credit, folding entries);
- `store`: the SQL that feeds them on a terminal (the projections, on the checkout's hot path);
- `figures`: the standing `member show` prints, on the terminal and at HQ alike.

The sale, the member panel, the manager's explanations, the reports and HQ all call these modules.
"""
