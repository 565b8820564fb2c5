"""Faster equivalents of parts of Rasa 3.6's message handling, installed by
`backpain_assistant.rasa_cli` before Rasa starts (README, "How it is built" and "Measured")."""
