"""Answers grounded in the documents: extractive (default, offline), LLM (optional), curated FAQ."""
