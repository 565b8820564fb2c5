"""Names that the NLU pipeline writes into a message's parse data and the action server reads
back from `tracker.latest_message`: one definition for both sides."""

# The red-flag router's findings: {"flags": [...], "predicted_intent": "..."}.
RED_FLAGS_KEY = "red_flags"
# Intents that ask about a topic are named `ask_<topic>`.
QUESTION_PREFIX = "ask_"
