# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The matrix's claim check (``scripts/test.sh matrix``): what the collection claims is what tox-ansible.ini tests.

    python tests/matrix/claims.py ENV...    (the environments of tox-ansible.ini's ``full`` label)

- ``meta/runtime.yml``'s ``requires_ansible`` is exactly the minors pinned in tox-ansible.ini's
  ``[ansible-core] release``, with none skipped;
- every pinned minor has sanity, unit and integration environments, and no environment tests another minor;
- ``README.md`` and ``docs/user-guide.md`` state that range and name every pinned release.
"""

from __future__ import annotations

import configparser
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INI = os.path.join(ROOT, "tox-ansible.ini")
CLAIM_DOCS = ("README.md", os.path.join("docs", "user-guide.md"))
TEST_TYPES = ("sanity", "unit", "integration")
ENV_NAME = re.compile(r"^(sanity|unit|integration)-py3\.\d+-(2\.\d+)$")


def pinned_releases(path=INI):
    """{minor: release} from the ``release`` setting of the ``[ansible-core]`` section."""
    parser = configparser.ConfigParser(interpolation=None)
    if not parser.read(path, encoding="utf-8"):
        raise ValueError("%s cannot be read" % path)
    releases = {}
    for line in parser.get("ansible-core", "release", fallback="").splitlines():
        if not line.strip():
            continue
        found = re.fullmatch(r"\s*(2\.\d+):\s*(2\.\d+\.\d+)\s*", line)
        if not found or not found.group(2).startswith(found.group(1) + "."):
            raise ValueError("%s: [ansible-core] release: cannot read %r (expected '2.NN: 2.NN.P')" % (path, line.strip()))
        releases[found.group(1)] = found.group(2)
    if not releases:
        raise ValueError("%s pins no ansible-core release ([ansible-core] release)" % path)
    return releases


def minor_number(minor):
    return int(minor.split(".")[1])


def claim_problem(releases, envs, root=ROOT):
    """Why the claims differ from what ``envs`` test with ``releases`` ({minor: release}), or None."""
    minors = sorted(releases, key=minor_number)
    numbers = [minor_number(minor) for minor in minors]
    if numbers != list(range(numbers[0], numbers[-1] + 1)):
        return "tox-ansible.ini skips a minor between %s and %s" % (minors[0], minors[-1])
    tested = {}
    for env in envs:
        found = ENV_NAME.match(env)
        if not found:
            return "%r is not a tox-ansible environment name (TYPE-py3.X-2.YY)" % env
        if found.group(2) not in releases:
            return "%s tests ansible-core %s, which tox-ansible.ini does not pin" % (env, found.group(2))
        tested.setdefault(found.group(2), set()).add(found.group(1))
    for minor in minors:
        missing = [kind for kind in TEST_TYPES if kind not in tested.get(minor, ())]
        if missing:
            return "ansible-core %s has no %s environment" % (minor, " or ".join(missing))
    claim = ">=%s.0,<2.%d.0" % (minors[0], numbers[-1] + 1)
    with open(os.path.join(root, "meta", "runtime.yml"), encoding="utf-8") as handle:
        found = re.search(r"^requires_ansible:\s*[\"']?([^\"'\n]+)", handle.read(), re.MULTILINE)
    claimed = found.group(1).strip() if found else None
    if claimed != claim:
        return "meta/runtime.yml claims requires_ansible %r but tox-ansible.ini tests %r" % (claimed, claim)
    for doc in CLAIM_DOCS:
        with open(os.path.join(root, doc), encoding="utf-8") as handle:
            text = handle.read()
        unnamed = [release for release in releases.values() if not re.search(r"(?<![\d.])%s(?!\.?\d)" % re.escape(release), text)]
        if claim not in text or unnamed:
            return "%s must state requires_ansible %r and name the tested releases%s" % (doc, claim, (" (lacks %s)" % ", ".join(unnamed)) if unnamed else "")
    return None


def main(argv=None):
    envs = sys.argv[1:] if argv is None else argv
    try:
        releases = pinned_releases()
    except (OSError, ValueError, configparser.Error) as exc:
        sys.exit("matrix: FAILED: %s" % exc)
    problem = claim_problem(releases, envs)
    if problem:
        sys.exit("matrix: FAILED: " + problem)
    print("matrix: requires_ansible, README.md and docs/user-guide.md claim what the %d environments test: ansible-core %s"
          % (len(envs), ", ".join(releases.values())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
