"""Adaptive Card builders: one module per card, `build(view) -> dict`, pure (schema 1.5).

Cards import nothing from the bot, the rules or the network: the bot passes everything a
card shows (choices, names, ids) in its view.
"""
