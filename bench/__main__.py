"""python -m bench: run every benchmark section (scale from BENCH_* environment variables)."""

from bench.run import main

main()
