"""Persistence of conversations, answers and feedback (SQLAlchemy; SQLite by default)."""
