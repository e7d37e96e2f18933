"""The policy on managing aggressive behaviour from parents and visitors, as pure rules.

Nothing here does I/O or reads a clock: state and commands come in, events go out, and
today's date and the school calendar are arguments. Only the standard library and the
`holidays` data package are imported (tests/unit/test_rules_purity.py enforces it).
"""
