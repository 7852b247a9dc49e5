"""How the suite's background jobs start programs (jobs.py)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Run in a fresh interpreter, so that its churn of the environment cannot reach the suite's own threads.
CHURN = """
import json, os, sys, threading
sys.path.insert(0, TESTS)
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
os.environ["SET_AFTER_IMPORT"] = "1"
late = spawn([sys.executable, "-c", "import os; print('SET_AFTER_IMPORT' in os.environ)"],
             capture_output=True, text=True).stdout.strip()
print(json.dumps({"spawned": len(spawned), "failures": failures, "sees a variable set after import": late}))
"""


def test_a_job_starts_programs_while_a_test_changes_the_environment():
    """A job's thread spawns while the main thread adds and removes variables: none of 30 spawns may fail.
    subprocess.run with the inherited environment failed 20 or 21 of 30 times so, in five runs. And the
    child's environment is the one copied at import, so no copy is made while a test changes it: a
    variable set later is not passed on."""
    script = f"TESTS = {str(Path(__file__).parent)!r}\n" + CHURN
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report == {"spawned": 30, "failures": [], "sees a variable set after import": "False"}, report
