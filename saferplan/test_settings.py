"""Settings for the test suite: the ``test`` profile of saferplan.settings, whatever the shell says."""
import os

os.environ["SAFERPLAN_ENV"] = "test"

from saferplan.settings import *  # noqa: E402,F403
