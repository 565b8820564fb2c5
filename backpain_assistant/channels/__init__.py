"""Rasa input channels; credentials.yml names them by their full module path."""
