# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Finding the DDM instance a configuration module works on (schemas, accounts, parameters): by ``instance_id``, or by
``instance_name``, matched exactly over the whole instance list.

A module adds :func:`instance_lookup_argument_spec` to its options, takes ``INSTANCE_LOOKUP_RULES`` for its
``required_one_of`` and ``mutually_exclusive``, calls :func:`check_instance_lookup_options` in ``check_options``
(before anything is sent) and :func:`find_instance` in ``run``. The options are documented by the doc fragment
``huaweicloud.cloud.ddm_instance_lookup``. Nothing is ever created or chosen here: an unknown instance, two
instances of the name, or a list cut short fail, listing what was found.
"""

from __future__ import annotations

from .._ansible.module import check_plain_id
from .._cloud.errors import HuaweiCloudError, printable

# Exactly one of the two: for required_one_of and mutually_exclusive.
INSTANCE_LOOKUP_RULES = (("instance_id", "instance_name"),)


def instance_lookup_argument_spec() -> dict:
    """The options that name the instance (documented by the doc fragment ``huaweicloud.cloud.ddm_instance_lookup``)."""
    return dict(instance_id=dict(type="str"), instance_name=dict(type="str"))


def check_instance_lookup_options(params: dict) -> None:
    """Refuse an ``instance_id`` that is not a plain id (it goes into URLs), before anything is sent."""
    check_plain_id(params.get("instance_id"), "instance_id")


def find_instance(api, params: dict) -> dict:
    """The instance (the show answer, with ``id``, ``name``, ``status``) that ``instance_id`` or ``instance_name`` names,
    through ``api`` (a :class:`DdmInstances`). Fails when there is none, when two or more have the name (listing their
    ids), and when the list was cut short before the name was found."""
    if params.get("instance_id"):
        instance = api.get(params["instance_id"])
        if instance is None:
            raise HuaweiCloudError("DDM instance %s does not exist" % params["instance_id"])
        return instance
    name = params.get("instance_name")
    matches, truncated = api.find_by_name(name)
    if len(matches) > 1:
        raise HuaweiCloudError("%d DDM instances are named %s (%s): give instance_id to choose one; nothing was changed" % (
            len(matches), name, ", ".join(printable(item["id"]) for item in matches)))
    if not matches and truncated:
        raise HuaweiCloudError("The DDM instance list was cut short (%s), so whether instance %s exists is unknown; nothing was changed" % (
            truncated, name))
    instance = api.get(matches[0]["id"]) if matches else None
    if instance is None:
        raise HuaweiCloudError("No DDM instance is named %s" % name)
    return instance
