# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API calls of the configuration services (schemas and data nodes, accounts, parameters, restarts): ``routes``
serves them like the others, authenticated and scoped to the project of the path."""

from __future__ import annotations

from .ddm_accounts import (api_check_weak_password, api_create_account, api_delete_account, api_list_accounts, api_reset_account_password,
                           api_update_account)
from .ddm_configurations import api_change_configurations, api_change_configurations_v3, api_restart_instance, api_show_configurations
from .ddm_schemas import api_create_schema, api_delete_schema, api_list_available_data_nodes, api_list_schemas, api_show_schema


# (method, path pattern, handler(ctx, project_id, *other path arguments))
CONFIGURE_API_ROUTES = (
    ("GET", r"^/v3/([^/]+)/instances/([^/]+)/available-data-nodes$", api_list_available_data_nodes),
    ("POST", r"^/v3/([^/]+)/instances/([^/]+)/databases$", api_create_schema),
    ("GET", r"^/v1/([^/]+)/instances/([^/]+)/databases$", api_list_schemas),
    ("GET", r"^/v3/([^/]+)/instances/([^/]+)/databases/([^/]+)$", api_show_schema),
    ("DELETE", r"^/v3/([^/]+)/instances/([^/]+)/databases/([^/]+)$", api_delete_schema),
    ("POST", r"^/v3/([^/]+)/instances/([^/]+)/users$", api_create_account),
    ("GET", r"^/v3/([^/]+)/instances/([^/]+)/users$", api_list_accounts),
    ("PUT", r"^/v3/([^/]+)/instances/([^/]+)/users/([^/]+)$", api_update_account),
    ("DELETE", r"^/v3/([^/]+)/instances/([^/]+)/users/([^/]+)$", api_delete_account),
    ("POST", r"^/v3/([^/]+)/instances/([^/]+)/users/([^/]+)/password$", api_reset_account_password),
    ("POST", r"^/v3/([^/]+)/weak-password-verification$", api_check_weak_password),
    ("GET", r"^/v3/([^/]+)/instances/([^/]+)/configurations$", api_show_configurations),
    ("PUT", r"^/v3\.1/([^/]+)/instances/([^/]+)/configurations$", api_change_configurations),
    ("PUT", r"^/v3/([^/]+)/instances/([^/]+)/configurations$", api_change_configurations_v3),
    ("POST", r"^/v3/([^/]+)/instances/([^/]+)/restart$", api_restart_instance),
)
