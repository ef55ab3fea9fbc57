"""Demo data: a deterministic generator of fictitious but realistic office records and its loader.

Every person, ID number, phone number and dispute in here is invented. A database holding demo
data is marked ``meta.demo_data = 1`` and is never synced.
"""

from __future__ import annotations
