"""The demo store: a café-and-sports shop with a year of plausible history."""
