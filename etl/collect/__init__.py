"""Collectors: fetch snapshots of official pages from the platforms' APIs and write them as contract CSV files."""
