"""The policy, one module per step, in the policy's own sections.

Each module holds one step (or a few that belong together): its command dataclasses, its
event dataclasses, its decide functions, its fold functions and its permissions, each
registered with a decorator from `rules.core`. The transition table stays whole in
`rules.state.TRANSITIONS`.

Importing this package imports every module in it, found by `pkgutil`, so that a new step
needs only its module here and its line in the transition table: no list to extend. The
public modules (`rules.commands`, `rules.events`, `rules.case`, `rules.decide`,
`rules.permissions`) import this package, so whichever of them a caller imports first, every
step is registered before anything is decided or folded.
"""

from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__, f"{__name__}."):
    importlib.import_module(_module.name)
