"""The REST API (FastAPI): ask, search, documents, feedback, conversations, health and metrics."""
