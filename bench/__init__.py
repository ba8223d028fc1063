"""National-scale benchmarks of govpulse: `make bench` (python -m bench); see docs/performance.md."""
