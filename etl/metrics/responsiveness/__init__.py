"""Responsiveness to citizens: answers, reply times in calendar and working time, deadlines, backlog, who answers."""
