"""The notifications API (/api/v1/exercise-notifications/, drone-flights/, notification-policy/).

Thin views over incidents/notifications: visibility.py finds what the caller may know of (404 otherwise),
access.py says what it may do (403, recorded), actions.py writes, payloads.py shapes every answer.
"""
