"""Advance notifications: military exercises (Vienna Document-shaped) and drone flights near borders.

Models live in notices/models.py (imported by incidents/models.py, so they belong to the incidents
app); every write goes through notices/actions.py, every read that depends on who asks through
notices/visibility.py, and every rule (thresholds, notice periods, buffer, deconfliction) in
notices/rules.py, which the API, the console and the tests share.
"""
