"""Hotline: the 24/7 cyber and drone incident hotline of the Western Balkans commission."""
