"""The staff workspace: accounts, documents, curated answers, the unanswered queue and analytics."""
