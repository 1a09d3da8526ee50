#!/usr/bin/python
# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ddm_instance_config
short_description: Set the parameters of a Huawei Cloud DDM instance, and restart it when they need it
version_added: 2.0.0
description:
  - Sets parameters of a Huawei Cloud Distributed Database Middleware (DDM) instance, such as C(long_query_time),
    C(max_connections) or C(transaction_policy), and restarts the instance when asked to and a changed parameter
    needs a restart to take effect.
  - Reads every parameter of the instance first and sends only the values that differ, all in one request. Values
    are compared as strings, so V(2) and V("2") are the same value. A second run with the same parameters sends nothing.
  - Checks every value before anything is written. An unknown parameter, a read-only one (given a value other than
    its own), or a value outside the parameter's C(value_range) (integer ranges such as C(10-40000), decimal ones
    such as C(0.01-10), choices such as C(OFF|ON)) fails the task, naming each with what is allowed, and nothing is
    changed. A C(value_range) of another shape is a warning, and the value is sent as it is.
  - The change is done when the values took. With O(wait) the module waits until the instance no longer reads
    V(SET_CONFIGURATION) and the parameters read back with the values asked for; a change that ends without them
    fails, naming the parameters and what they read.
  - Restarts are explicit and never happen unasked. When a changed parameter needs a restart (the parameter list
    says so, or the change's answer does), O(restart=true) restarts the instance once the change has settled and
    waits on the restart's task (with O(wait)); O(restart=false) warns, naming the parameters, and returns
    RV(restart_required=true). Nothing is restarted when nothing changed; to restart an instance whatever its
    parameters, use M(huaweicloud.cloud.ddm_instance) with O(huaweicloud.cloud.ddm_instance#module:state=restarted).
  - Waits for an operation already under way on the instance (another change, a backup) to end before its own, with O(wait).
  - O(wait_timeout) bounds the whole run, every request, wait and restart included.
author:
  - huaweicloud.cloud contributors (@huaweicloud)
options:
  parameters:
    description:
      - 'The parameters to set, as a dictionary of parameter name and value, such as C({"max_connections": 20000, "sql_audit": "ON"}).'
      - Values are sent as strings. Numbers are written as they are (V(2) is V("2")). Quote V("ON") and V("OFF").
        Unquoted, YAML reads them as booleans, which the module turns back into the parameter's V(ON) or V(OFF)
        choice when it has one, and refuses otherwise.
      - Parameters left out keep their values.
    type: dict
    required: true
  restart:
    description:
      - Restart the instance after the change when a changed parameter needs a restart to take effect.
      - With V(false), such a change is made, warns, and returns RV(restart_required=true); the values take effect at
        the next restart.
    type: bool
    default: false
  wait:
    description:
      - Wait until the change has taken effect (the instance reads V(RUNNING) again and the parameters read back
        with the values asked for), and until the restart's task is V(Completed) when the module restarts the instance.
      - Also lets the module wait for an operation already under way on the instance to end before its own.
        Without O(wait), such an instance fails the task, naming its status.
      - A restart always waits for the change to settle first, even with O(wait=false).
    type: bool
    default: true
attributes:
  check_mode:
    description: In check mode the module only reads, and returns what it would change in RV(changed_parameters) and C(changed).
    support: full
  diff_mode:
    description: Shows the changed parameters' values before and after.
    support: full
extends_documentation_fragment:
  - huaweicloud.cloud.huaweicloud
  - huaweicloud.cloud.huaweicloud.ddm
  - huaweicloud.cloud.huaweicloud.resource_module
  - huaweicloud.cloud.huaweicloud.wait
  - huaweicloud.cloud.ddm_instance_lookup
notes:
  - The change uses the API's recommended C(PUT /v3.1/{project_id}/instances/{instance_id}/configurations) call,
    which answers no task; the restart uses C(POST /v3/{project_id}/instances/{instance_id}/restart), whose task the
    module follows. The v3 restart has no soft or hard choice.
  - Where the API shows a parameter that waits for a restart with its old value until the restart, a later run
    with O(restart=false) sends that value again (the instance is already configured with it, so nothing else changes).
seealso:
  - module: huaweicloud.cloud.ddm_instance
  - module: huaweicloud.cloud.ddm_job_info
"""

EXAMPLES = r"""
- name: Log queries slower than half a second, and allow more connections
  huaweicloud.cloud.ddm_instance_config:
    instance_id: "{{ ddm_instance_id }}"
    parameters:
      long_query_time: 0.5
      max_connections: 30000
      sql_audit: "ON"
  register: tuned

- name: Show what changed
  ansible.builtin.debug:
    msg: "{{ tuned.changed_parameters }}"

- name: Change the character set, and restart the instance so that it takes effect
  huaweicloud.cloud.ddm_instance_config:
    instance_id: "{{ ddm_instance_id }}"
    parameters:
      character_set_server: utf8
      collation_server: utf8_general_ci
    restart: true
  register: charset

- name: Change a parameter that needs a restart, but leave the restart for a maintenance window
  huaweicloud.cloud.ddm_instance_config:
    instance_id: "{{ ddm_instance_id }}"
    parameters:
      max_backend_connections: 2000
  register: later

- name: Restart in the maintenance window, when the last run left one to do
  huaweicloud.cloud.ddm_instance:
    instance_id: "{{ ddm_instance_id }}"
    state: restarted
  when: later.restart_required
"""

RETURN = r"""
changed:
  description: Whether parameters were (or, in check mode, would be) changed.
  returned: always
  type: bool
parameters:
  description:
    - Every parameter of the instance and its value (a string) after the run, as read back.
    - Without O(wait) and without a restart, the values read before the change with the values asked for in place;
      in check mode, the values the run would set.
  returned: when the instance was found
  type: dict
  sample: {"long_query_time": "0.5", "max_connections": "30000", "sql_audit": "ON", "transaction_policy": "XA"}
changed_parameters:
  description: The parameters the run changed (or, in check mode, would change), each with its value C(before) and C(after).
  returned: always
  type: dict
  sample: {"long_query_time": {"before": "1", "after": "0.5"}}
restart_required:
  description:
    - Whether a parameter the run changed needs a restart that was not done (O(restart=false)).
    - The values take effect at the instance's next restart (see M(huaweicloud.cloud.ddm_instance)'s O(huaweicloud.cloud.ddm_instance#module:state=restarted)).
  returned: always
  type: bool
restarted:
  description: Whether the run restarted (or, in check mode, would restart) the instance.
  returned: always
  type: bool
actions:
  description:
    - The writes the module sent, in order (V(set parameters), V(restart)), that the API accepted or whose outcome was unclear
      (a write the API refused with a 4xx applied nothing and is not listed). Empty in check mode, which sends nothing (see RV(planned)).
  returned: always
  type: list
  elements: str
  sample: [set parameters, restart]
planned:
  description: In check mode, the writes the module would send, in order.
  returned: in check mode, when a parameter would change
  type: list
  elements: str
  sample: [set parameters, restart]
job_id:
  description: The id of the restart's task (see M(huaweicloud.cloud.ddm_job_info)).
  returned: when the instance was restarted
  type: str
job_ids:
  description: The ids of every task the run started (the restart's; the parameter change answers none).
  returned: always
  type: list
  elements: str
job:
  description: The restart task's last state, when the module waited on it (same shape as M(huaweicloud.cloud.ddm_job_info)'s C(job)).
  returned: when the module waited on the restart
  type: dict
diff:
  description: With C(--diff), the changed parameters' values before and after.
  returned: when a parameter changes and C(--diff) is given
  type: dict
"""

from ..module_utils._ddm.instances import describe, in_progress, is_failed
from ..module_utils._ddm.module import InstanceScopedModule
from ..module_utils._ddm.operations import Operation
from ..module_utils._ddm.parameters import DdmParameters, plan_changes, restart_instance
from ..module_utils._ddm.progress import instance_record
from ..module_utils._ddm.writes import WriteSender
from ..module_utils._cloud.errors import OperationFailed, printable

# After the change is accepted the instance may read RUNNING with its old values for a moment before it reads
# SET_CONFIGURATION: values that still differ end the wait only once it was seen busy, or after this long.
SHOW_SECONDS = 30
WANTED = "RUNNING with the new parameter values"


class DdmInstanceConfig(InstanceScopedModule):
    wait_timeout_bounds_run = True
    instance_api = DdmParameters

    @classmethod
    def argument_spec(cls):
        spec = super().argument_spec()
        spec.update(parameters=dict(type="dict", required=True), restart=dict(type="bool", default=False))
        return spec

    def read(self, resource):
        return self.api.get(resource["id"])

    def run(self):
        params = self.params
        self.sender = WriteSender(self, self.jobs)
        self.result.update(changed_parameters={}, restart_required=False, restarted=False, job_ids=[])
        instance = self.resource = self.find_instance()
        current = self.api.parameters(instance["id"])
        self.result["parameters"] = {name: parameter["value"] for name, parameter in current.items()}
        changes = plan_changes(current, params["parameters"], printable(describe(instance)), self.module.warn)
        if not changes:
            return
        self.result["changed_parameters"] = changes
        planned = dict(self.result["parameters"], **{name: change["after"] for name, change in changes.items()})
        needing = sorted(name for name in changes if current[name]["need_restart"])
        if self.check_mode:
            self.changed_by(*self.diff_of(changes))
            self.result["parameters"] = planned
            self.result["planned"] = ["set parameters"] + (["restart"] if needing and params["restart"] else [])
            self.restart_flags(needing, restarted=bool(needing) and params["restart"])
            return
        about = dict(id=instance["id"], name=instance.get("name"))
        steps = 2 if needing and params["restart"] else 1
        operation = Operation("set parameters", about, 1, steps)
        self.resource = self.operator.wait_until_settled(instance, params["wait"], operation)
        values = {name: change["after"] for name, change in changes.items()}
        need_restart = self.set_parameters(values, operation)
        self.changed_by(*self.diff_of(changes))
        if need_restart and not needing:
            needing = sorted(changes)  # the answer says a restart is needed where the list flagged none: any of them may need it
        restart = bool(needing) and params["restart"]
        if params["wait"] or restart:
            self.confirm(values, needing, Operation("set parameters", about, 1, 2 if restart else 1))
        else:
            self.result["parameters"] = planned
        if restart:
            operation = Operation("restart", about, 2, 2)
            job_id, adopted = restart_instance(self.api, self.operator, self.sender, self.resource, True, operation)
            self.result["restarted"] = True
            # An adopted task is always followed: the proof is the instance settled with the values.
            self.follow_job(job_id, operation, params["wait"] or adopted)
            if params["wait"] or adopted:
                self.confirm(values, [], operation)
        self.restart_flags(needing, restarted=restart)

    @staticmethod
    def diff_of(changes: dict) -> tuple:
        """(before, after) of the changed parameters, for --diff."""
        return {name: change["before"] for name, change in changes.items()}, {name: change["after"] for name, change in changes.items()}

    def set_parameters(self, values: dict, operation) -> bool | None:
        """Send the change once; whether the answer says a restart is needed (None: not said, or the outcome was unclear and the
        instance was found changing or changed)."""
        instance = self.resource

        def look():
            current = self.api.get(instance["id"])
            if current is not None and in_progress(current["status"]):
                return current  # the change is being applied
            read = self.api.parameters(instance["id"])
            return current if all(read.get(name, {}).get("value") == value for name, value in values.items()) else None

        sent = self.sender.send("set parameters", lambda: self.operator.send(instance, lambda: self.api.set_parameters(instance["id"], values),
                                                                             self.params["wait"], operation),
                                what="set the parameters of %s" % printable(describe(instance)), look=look,
                                check="the parameters of %s (ddm_instance_config in check mode)" % printable(describe(instance)))
        if sent.found is not None:
            self.module.warn("The answer to the request to set the parameters of %s was lost (%s); the instance was found %s" % (
                printable(describe(instance)), sent.cause, "applying the change" if in_progress(sent.found["status"]) else "with the new values"))
            return None
        return sent.answer

    def restart_flags(self, needing: list, restarted: bool) -> None:
        """``restarted``, and ``restart_required`` with a warning naming the parameters when a needed restart is left out."""
        self.result["restarted"] = restarted
        if needing and not restarted:
            self.result["restart_required"] = True
            self.module.warn("%s %s of %s take%s effect only after a restart, which restart: false leaves out: set restart: true, or "
                             "restart the instance with huaweicloud.cloud.ddm_instance state: restarted" % (
                                 "Parameter" if len(needing) == 1 else "Parameters", ", ".join(needing), printable(describe(self.resource)),
                                 "s" if len(needing) == 1 else ""))

    def confirm(self, wanted: dict, pending: list, operation) -> None:
        """Wait until the instance has settled and its parameters read ``wanted``; those of ``pending`` may still read their old
        value (they wait for a restart). Fails naming the parameters that did not take."""
        instance_id = self.resource["id"]
        started, seen_busy = self.clock(), [False]

        def fetch():
            current = self.api.get(instance_id)
            if current is None:
                raise OperationFailed("%s disappeared while its parameters changed" % printable(describe(self.resource)), self.resource)
            if in_progress(current["status"]) or is_failed(current["status"]):
                seen_busy[0] = seen_busy[0] or in_progress(current["status"])
                return current, None
            return current, {name: parameter["value"] for name, parameter in self.api.parameters(instance_id).items()}

        def missing(values):
            return sorted(name for name in wanted if values.get(name) != wanted[name])

        def done(seen):
            current, values = seen
            if is_failed(current["status"]):
                return True
            if values is None:
                return False
            return not missing(values) or seen_busy[0] or self.clock() - started >= SHOW_SECONDS

        def report(seen, elapsed):
            self.reporter.update(seen[0].get("status"), instance_record(seen[0], WANTED, elapsed, **operation.progress_context()))

        last = [(self.resource, None)]

        def poll():
            last[0] = fetch()
            return last[0]

        def seen():
            return "its status is %s" % printable(str(last[0][0].get("status"))), last[0][0]

        current, values = self.operator.watch(poll, done, report, lambda: "the parameters of %s to take effect" % printable(describe(last[0][0])),
                                              seen)
        self.resource = current
        if is_failed(current["status"]):
            raise OperationFailed("%s is %s%s" % (printable(describe(current)), printable(current["status"]),
                                                  ": %s" % printable(current["error_msg"]) if current.get("error_msg") else ""), current)
        self.result["parameters"] = values
        untaken = [name for name in missing(values) if name not in pending]
        if untaken:
            raise OperationFailed("The parameters of %s did not take: %s. The change ended (the instance reads %s) without them" % (
                printable(describe(current)), "; ".join("%s reads %s, not %s" % (name, printable(repr(values.get(name))), printable(repr(wanted[name])))
                                                        for name in untaken), printable(current["status"])), current)


def main():
    DdmInstanceConfig.main()


if __name__ == "__main__":
    main()
