"""The framework every step of the policy is built on; it knows no step.

`rules/steps/` holds the policy, one module per step; each step's command, events, decide
function, fold function and permission register themselves here with decorators:

- `rules.core.commands`: the `Command` base and `@command` (the registry of command types);
- `rules.core.events`: the `Event` base, `EventMeta`, `@event`, the effect events every step
  may produce (`LetterRequired`, `NotificationRequired`) and the stored-form codec;
- `rules.core.view`: `CaseView` and its record dataclasses;
- `rules.core.fold`: the fold engine (`fold`, `apply`), `folds` / `folds_opening`, and the
  helpers steps fold with (`respond`, `set_incident`, `set_letter`, …);
- `rules.core.permissions`: the `Permission` type, `@permitted` and `check_permitted`;
- `rules.core.decide`: `DecisionContext`, `decide`, `decides` / `decides_opening` and the
  guards steps share (`required_text`, `assessed_latest`, `letter_required`, …).

Nothing here imports `rules.steps`: the steps import this package, and the public modules
(`rules.commands`, `rules.events`, `rules.case`, `rules.decide`, `rules.permissions`) import
both, so that whoever imports them finds every step registered.
"""
