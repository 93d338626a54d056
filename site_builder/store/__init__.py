"""The store: published records of one build, for the output stages to read back."""
