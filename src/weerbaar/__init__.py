"""weerbaar: inventory and self-assessment of local civil resilience measures.

Scans public documents of Dutch municipalities and safety regions for evidence of the
41 measures of the VNG guidance "Handreiking weerbaarheid en veerkracht op lokaal niveau".
"""

__version__ = "0.1.0"
