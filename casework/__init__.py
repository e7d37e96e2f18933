"""The application layer: one function per use case, talking to the world through ports."""
