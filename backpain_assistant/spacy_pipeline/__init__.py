"""The project's own spaCy pipeline: blank English with lookup lemmas, typo correction
against the project's lexicons, a medication entity ruler and the red-flag matcher."""
