"""The measures: working-time clocks and schedules, responsiveness to citizens, the KPI table."""
