"""The database: tables, engine and upgrades, the daily rollups, and reads scoped to territories."""
