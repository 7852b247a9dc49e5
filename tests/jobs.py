"""The suite's background jobs (conftest.py says which and why): a function run once in a thread, and the
way such a thread starts a program."""
from __future__ import annotations

import os
import subprocess
import threading


class Job:
    """A function run once, in a background thread, from the first call of start()."""

    def __init__(self, target):
        self.target, self.thread, self.result, self.error = target, None, None, None

    def start(self):
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, daemon=True)
            self.thread.start()

    def _run(self):
        try:
            self.result = self.target()
        except BaseException as e:  # noqa: BLE001 - reported by the test that reads the job
            self.error = e

    def wait(self):
        self.start()
        self.thread.join()
        return self.result, self.error


# The environment as the suite started: copied when conftest.py imports this module, before any thread runs.
ENVIRONMENT = dict(os.environ)


def spawn(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """subprocess.run for a job's thread, giving the child ENVIRONMENT rather than the process's own.

    On Linux, CPython starts a child with vfork() where it can (no preexec_fn, no change of user), so the
    child runs in the parent's memory until it execs, and since 3.11.6 other threads keep running meanwhile
    (the GIL is released). With no `env`, the child execs with the process's own `environ` array; a test
    that adds or removes a variable then (L.seed_everything sets PL_GLOBAL_SEED and PL_SEED_WORKERS, and
    pytest itself sets and removes PYTEST_CURRENT_TEST around every test) changes that array under it, and
    the exec fails with "[Errno 14] Bad address". It failed CI once so, at the build's start (see
    test_jobs.py). Copying os.environ in the job's thread would race with such a test too; a copy made
    before any thread ran cannot."""
    return subprocess.run(args, env=ENVIRONMENT, **kwargs)
