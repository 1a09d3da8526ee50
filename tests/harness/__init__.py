# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the tests, the benchmark and the demo share: the emulator process and its control API
(``harness.emulator``), the collection built and installed from its tarball (``harness.collection``),
real ``ansible`` / ``ansible-playbook`` runs against it (``harness.ansible_runner``), and the playbook
those runs loop over, generated from the module's argument spec (``harness.playbooks``).

Put the ``tests`` directory on ``sys.path`` to import it; shell scripts use ``python -m harness``
(see ``__main__.py``) with ``tests`` on ``PYTHONPATH``.
"""
