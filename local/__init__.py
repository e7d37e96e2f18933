"""The embedded default adapters: a SQLite case store and letter drafts written as files."""
