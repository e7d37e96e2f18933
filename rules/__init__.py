"""The policy on managing aggressive behaviour from parents and visitors, as pure rules.

Nothing here does I/O or reads a clock: state and commands come in, events go out, and
today's date and the school calendar are arguments. Only the standard library and the
`holidays` data package are imported (tests/unit/test_rules_purity.py enforces it).

`rules/steps/` holds the policy one step per module (a step's commands, events, decide and
fold functions and permissions together), on the framework in `rules/core/`; the one
transition table is `rules.state.TRANSITIONS`. Callers import the public modules
`rules.commands`, `rules.events`, `rules.case`, `rules.decide` and `rules.permissions`
(which register every step) and each step's own module for its commands and events.
"""
