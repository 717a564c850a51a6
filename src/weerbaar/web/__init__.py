"""The web app (FastAPI + Jinja2): review of candidate passages, and the self-assessment.

``weerbaar.web.app.create_app(workspace)`` builds it; ``weerbaar web`` serves it on
127.0.0.1.
"""
