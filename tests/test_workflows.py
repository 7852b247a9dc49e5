"""The GitHub Actions workflows lint clean, pass zizmor's audits offline, and pin every action to a commit.

actionlint also runs shellcheck on `run:` blocks when `shellcheck` is on PATH (it is on GitHub's runners).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import yaml

from pages import ROOT

GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.y*ml"))
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>[^\s#]+)\s*(?:#\s*(?P<comment>.*))?$")
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[^@\s]+)?@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"^v\d+(?:\.\d+)*\b")


def tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        pytest.fail(f"`{name}` is not on PATH: pip install -r requirements.txt")
    return path


def test_there_are_workflows():
    names = {p.name for p in WORKFLOWS}
    assert {"ci.yml", "weekly.yml"} <= names, f".github/workflows/ holds {sorted(names)}"
    assert (GITHUB / "dependabot.yml").exists(), ".github/dependabot.yml is missing"


def test_actionlint():
    result = subprocess.run([tool("actionlint"), "-no-color", *map(str, WORKFLOWS)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"actionlint found problems:\n{result.stdout}{result.stderr}"


def test_zizmor_offline():
    """Every audit that needs no network (workflows and dependabot.yml), the default persona."""
    result = subprocess.run([tool("zizmor"), "--offline", "--no-progress", "--color=never", "."],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"zizmor reported findings (exit {result.returncode}):\n{result.stdout}{result.stderr}"
    assert "No findings" in result.stdout, result.stdout + result.stderr


def test_every_action_is_pinned_to_a_commit_sha():
    problems, seen = [], 0
    for path in WORKFLOWS:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = USES.match(line)
            if not m:
                continue
            seen += 1
            ref, comment = m["ref"].strip("'\""), (m["comment"] or "").strip()
            where = f"{path.relative_to(ROOT)}:{n}: {ref}"
            if ref.startswith("./"):
                continue  # an action in this repository
            if not PINNED.match(ref):
                problems.append(f"{where} is not pinned to a full 40-hex commit SHA")
            elif not VERSION_COMMENT.match(comment):
                problems.append(f"{where} has no `# vX.Y.Z` comment naming the release the SHA is")
    assert seen, "no `uses:` found in .github/workflows/"
    assert not problems, "\n".join(problems)


def load(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(workflow: str, job: str) -> list[dict]:
    return load(GITHUB / "workflows" / workflow)["jobs"][job]["steps"]


def test_ci_is_least_privilege_and_deploys_only_from_main():
    ci = load(GITHUB / "workflows" / "ci.yml")
    assert set(ci["on"]) >= {"pull_request", "push"}, ci["on"]
    assert ci["permissions"] == {"contents": "read"}, f"top-level permissions: {ci['permissions']}"
    jobs = {name: job.get("permissions") for name, job in ci["jobs"].items()}
    assert jobs == {"test": {"contents": "read", "pages": "read"},
                    "deploy": {"pages": "write", "id-token": "write"}}, f"job permissions: {jobs}"
    deploy = ci["jobs"]["deploy"]
    assert deploy["environment"]["name"] == "github-pages"
    assert "refs/heads/main" in deploy["if"] and "push" in deploy["if"], deploy["if"]
    assert "needs.test.outputs.publish == 'true'" in deploy["if"], "deploy only what the test job uploaded"
    assert deploy["concurrency"]["cancel-in-progress"] is False, "a started Pages deployment must not be cancelled"
    every_step = [s for job in ci["jobs"].values() for s in job["steps"]]
    assert any("deploy-pages@" in s.get("uses", "") for s in deploy["steps"])
    assert any("upload-pages-artifact@" in s.get("uses", "") for s in every_step)


def test_checkouts_do_not_persist_credentials():
    problems = []
    for path in WORKFLOWS:
        for name, job in load(path)["jobs"].items():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/checkout@") and \
                        (step.get("with") or {}).get("persist-credentials") is not False:
                    problems.append(f"{path.name}: job {name}: checkout without `persist-credentials: false`")
    assert not problems, "\n".join(problems)


def test_ci_installs_the_torch_pinned_in_requirements_from_the_cpu_index():
    """CPU torch first, so `pip install -r requirements.txt` never pulls the multi-GB CUDA wheel."""
    requirements = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert re.search(r"^torch==\S+$", requirements, re.M), "requirements.txt must pin torch=="
    runs = [s.get("run", "") for s in steps("ci.yml", "test")]
    torch = next((i for i, r in enumerate(runs) if "download.pytorch.org/whl/cpu" in r), None)
    reqs = next((i for i, r in enumerate(runs) if "-r requirements.txt" in r), None)
    assert torch is not None and reqs is not None and torch < reqs, runs
    assert "--index-url" in runs[torch] and "--extra-index-url" not in runs[torch], runs[torch]


def test_ci_builds_main_for_its_pages_address():
    """On main the suite runs with SITE_URL from configure-pages, so the site it builds and tests is the one
    published; pull requests build for the default address."""
    ci = steps("ci.yml", "test")
    names = [s.get("name", "") for s in ci]
    pages = ci[names.index("Read the Pages address")]
    assert pages["uses"].startswith("actions/configure-pages@") and pages["id"] == "pages", pages
    assert "refs/heads/main" in pages["if"], pages
    test = ci[names.index("Test")]
    assert test["env"]["SITE_URL"] == "${{ steps.pages.outputs.base_url || 'http://127.0.0.1:8000' }}/", test
    assert names.index("Read the Pages address") < names.index("Test") < names.index("Upload the site for GitHub Pages")
    upload = ci[names.index("Upload the site for GitHub Pages")]
    assert upload["with"]["path"] == "site" and upload["if"] == "steps.pages.outcome == 'success'", upload


def test_a_repository_without_pages_is_tested_and_told_how_to_publish():
    """configure-pages fails where Pages is off (a new fork): the tests still run, nothing is uploaded or
    deployed, and a notice names the setting."""
    ci = load(GITHUB / "workflows" / "ci.yml")
    test = ci["jobs"]["test"]
    named = {s.get("name"): s for s in test["steps"]}
    assert named["Read the Pages address"]["continue-on-error"] is True
    assert "if" not in named["Test"], "the tests run whether or not Pages is on"
    notice = named["Say why nothing will be published"]
    assert notice["if"] == "steps.pages.outcome == 'failure'" and "::notice::" in notice["run"]
    assert "Settings → Pages" in notice["run"] and "GitHub Actions" in notice["run"]
    assert test["outputs"]["publish"] == "${{ steps.pages.outcome == 'success' }}"


@pytest.mark.parametrize("sitemap, publishes", [
    ("<loc>https://some-owner.github.io/lstm-book/</loc>", True),
    ("<loc>http://127.0.0.1:8000/</loc>", False),
    ("<loc>https://some-owner.github.io/lstm-book-old/</loc>", False),
    (None, False),
], ids=["pages-address", "default-address", "other-address", "no-site"])
def test_ci_publishes_only_a_site_built_for_its_pages_address(tmp_path, sitemap, publishes):
    """The check before the upload, run on a site/ whose sitemap has the given address."""
    ci = steps("ci.yml", "test")
    names = [s.get("name", "") for s in ci]
    check = ci[names.index("Check that site/ was built for the Pages address")]
    assert check["if"] == ci[names.index("Upload the site for GitHub Pages")]["if"], "the check must run whenever the upload does"
    if sitemap is not None:
        (tmp_path / "site").mkdir()
        (tmp_path / "site/sitemap.xml").write_text(f"<urlset><url>{sitemap}</url></urlset>\n", encoding="utf-8")
    result = subprocess.run(["bash", "-e", "-c", check["run"]], cwd=tmp_path, capture_output=True, text=True,
                            env={"PATH": os.environ["PATH"], "PAGES_URL": "https://some-owner.github.io/lstm-book/"})
    assert (result.returncode == 0) is publishes, result.stdout + result.stderr
    if not publishes:
        assert "::error file=mkdocs.yml::site/ was built for " in result.stdout
        assert "build it with SITE_URL=https://some-owner.github.io/lstm-book/ python -m pytest" in result.stdout


def test_weekly_installs_the_newest_releases_keeping_only_ceilings(tmp_path):
    listing = next(s for s in steps("weekly.yml", "newest") if s.get("name") == "List the newest releases to install")
    subprocess.run(["bash", "-e", "-c", listing["run"]], cwd=ROOT, check=True, capture_output=True,
                   env={"PATH": os.environ["PATH"], "RUNNER_TEMP": str(tmp_path)})
    newest = (tmp_path / "newest.txt").read_text(encoding="utf-8").split()
    pinned = re.findall(r"^([A-Za-z0-9._-]+)", (ROOT / "requirements.txt").read_text(encoding="utf-8"), re.M)
    assert "mkdocs<2" in newest, newest
    assert [re.match(r"[A-Za-z0-9._-]+", r)[0] for r in newest] == [p for p in pinned if p != "torch"], newest
    assert [r for r in newest if re.search(r"[=>~!]", r)] == [], newest


def test_ci_audits_the_workflows_online():
    """What the offline audit above cannot check (SHAs against their repositories) runs on GitHub."""
    audits = [s for s in steps("ci.yml", "test") if s.get("run", "").startswith("zizmor ")]
    assert len(audits) == 1 and "--offline" not in audits[0]["run"], audits
    assert audits[0].get("env", {}).get("GH_TOKEN") == "${{ github.token }}", audits[0]
