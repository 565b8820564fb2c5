"""Library code of the back-pain medication assistant that is not a Rasa action:
the spaCy pipeline and its builder, the red-flag detector, custom Rasa components and channels."""
