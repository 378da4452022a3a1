"""The commission's review: compliance figures per party over a period, the items behind them, a
reviewer's incident timeline, exports and the signed period report (issue 16)."""
