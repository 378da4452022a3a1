"""Advance notifications: military exercises (Vienna Document-shaped) and drone flights near borders,
with the border geometry they are computed from and the calendar of notified activities.

A Django app of its own (label `notifications`), above incidents' core: it may use incidents' forms,
GeoJSON validation and access helpers; incidents imports nothing of it. Its models keep the tables
they had inside the incidents app (`incidents_…`, see models.py). Every write goes through actions.py,
every read that depends on who asks through visibility.py, and every rule (thresholds, notice periods,
buffer, deconfliction) in rules.py, which the API, the console and the tests share. The escalation
engine is started and stopped from timers.py and calls back into subjects.py.
"""
