"""How the suite's background jobs start programs (jobs.py)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Run in a fresh interpreter, so that its churn of the environment cannot reach the suite's own threads.
# New names each round: the environment grows and its array moves, as when a test first seeds Lightning.
CHURN = """
import json, os, threading
from jobs import spawn

failures, spawned = [], []

def spawns():
    for _ in range(30):
        try:
            spawn(["true"], check=True)
            spawned.append(1)
        except Exception as e:
            failures.append(repr(e))

thread = threading.Thread(target=spawns)
thread.start()
i = 0
while thread.is_alive():
    names = [f"CHURN_{i + k}" for k in range(50)]
    for name in names:
        os.environ[name] = "1"
    for name in names:
        del os.environ[name]
    i += 50
print(json.dumps({"spawned": len(spawned), "failures": failures}))
"""


def test_a_job_starts_programs_while_a_test_changes_the_environment():
    """A job's thread spawns while tests in the main thread add variables: none of 30 spawns may fail.
    subprocess.run with the inherited environment failed 14 to 23 of 30 times so, in three runs."""
    result = subprocess.run([sys.executable, "-c", CHURN], cwd=Path(__file__).parent, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report == {"spawned": 30, "failures": []}, report
