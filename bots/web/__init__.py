"""The web chat page, its assets and the embeddable widget."""
