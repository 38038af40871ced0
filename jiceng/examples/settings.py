"""The test suite's settings: the project's, plus the example apps (docs/new-app.md). The generic tests
(permission matrix, scoped models, the move of a subtree, the API schema and its fuzzing) cover them like
any other app, from what they declare."""
from jiceng.settings import *  # noqa: F403
from jiceng.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "jiceng.examples.notices"]
