"""Custom Rasa NLU components; config.yml names them by their full module path."""
