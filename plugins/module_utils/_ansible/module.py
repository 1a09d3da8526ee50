# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every huaweicloud.cloud module shares: options, building the client, results, and clean failures.

A module subclasses :class:`HuaweiCloudModule` (a DDM module :class:`DdmModule`), names its ``service``,
checks its own options in ``check_options`` and implements ``run``, which puts what it has into
``self.result`` as it goes. Any :class:`HuaweiCloudError` raised there becomes ``fail_json`` with a
clear message and that result; its ``main()`` is ``TheModule.main()``.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from urllib.parse import urlsplit

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.errors import AnsibleFallbackNotFound
from ansible.module_utils.parsing.convert_bool import boolean

from .._cloud.answers import PLAIN_ID, PLAIN_ID_RULE
from .._cloud.client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, HuaweiCloudClient
from .._cloud.credentials import build_auth, resolve_credentials
from .._cloud.deadline import Deadline
from .._cloud.endpoints import iam_endpoint, is_loopback, service_endpoint
from .._cloud.errors import ConfigurationError, DeadlineExceeded, HuaweiCloudError, printable, without_surrogates
from .._cloud.retry import RetryPolicy

REGION = re.compile(r"[a-z]{2}(-[a-z0-9]+){1,4}")
DOMAIN_SUFFIX = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+")
MAX_RETRIES_LIMIT = 20
MAX_API_TIMEOUT = 600
# Options whose values travel in HTTP headers: visible ASCII only (a token never holds anything else).
HEADER_OPTIONS = ("auth_token", "security_token", "access_key")
HEADER_SAFE = re.compile(r"[\x21-\x7e]+")


def nonempty_env_fallback(*names):
    """The first of these variables that is set and not empty.

    As in the Terraform provider, an empty variable counts as unset: credential managers
    such as AWX set every variable of a credential type, the empty ones included.
    """
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    raise AnsibleFallbackNotFound


def _env(*names):
    return (nonempty_env_fallback, list(names))


def insecure_fallback(*names):
    """``validate_certs`` from the Terraform provider's ``HW_INSECURE`` (true turns the checks off)."""
    for name in names:
        value = os.environ.get(name)
        if value:
            try:
                return not boolean(value, strict=True)
            except TypeError:
                # Not a boolean: Ansible's type check then names the variable and its value.
                return "%s=%s is not a boolean" % (name, value)
    raise AnsibleFallbackNotFound


def huaweicloud_argument_spec() -> dict:
    """Connection and authentication options shared by every module (documented in the doc fragment)."""
    return dict(
        region=dict(type="str", fallback=_env("HW_REGION_NAME")),
        project_id=dict(type="str", fallback=_env("HW_PROJECT_ID", "HUAWEICLOUD_SDK_PROJECT_ID")),
        iam_endpoint=dict(type="str", fallback=_env("HW_AUTH_URL", "HUAWEICLOUD_SDK_IAM_ENDPOINT")),
        cloud=dict(type="str", fallback=_env("HW_CLOUD")),
        auth_token=dict(type="str", no_log=True, fallback=_env("HW_AUTH_TOKEN")),
        access_key=dict(type="str", no_log=False, fallback=_env("HW_ACCESS_KEY", "HUAWEICLOUD_SDK_AK")),
        secret_key=dict(type="str", no_log=True, fallback=_env("HW_SECRET_KEY", "HUAWEICLOUD_SDK_SK")),
        security_token=dict(type="str", no_log=True, fallback=_env("HW_SECURITY_TOKEN", "HUAWEICLOUD_SDK_SECURITY_TOKEN")),
        user_name=dict(type="str", fallback=_env("HW_USER_NAME")),
        password=dict(type="str", no_log=True, fallback=_env("HW_USER_PASSWORD")),
        domain_name=dict(type="str", fallback=_env("HW_DOMAIN_NAME")),
        domain_id=dict(type="str", fallback=_env("HW_DOMAIN_ID")),
        project_name=dict(type="str", fallback=_env("HW_PROJECT_NAME")),
        shared_config_file=dict(type="path", fallback=_env("HW_SHARED_CONFIG_FILE")),
        profile=dict(type="str", fallback=_env("HW_PROFILE")),
        agency_name=dict(type="str", fallback=_env("HW_ASSUME_ROLE_AGENCY_NAME")),
        agency_domain_name=dict(type="str", fallback=_env("HW_ASSUME_ROLE_DOMAIN_NAME")),
        agency_duration=dict(type="int", fallback=_env("HW_ASSUME_ROLE_DURATION")),
        use_ecs_metadata=dict(type="bool", default=False, fallback=_env("HW_USE_ECS_METADATA")),
        validate_certs=dict(type="bool", default=True, fallback=(insecure_fallback, ["HW_INSECURE"])),
        ca_path=dict(type="path"),
        api_timeout=dict(type="int", default=30),
        max_retries=dict(type="int", default=5, fallback=_env("HW_MAX_RETRIES")),
    )


def endpoint_argument_spec(service: str) -> dict:
    """The ``endpoint`` override of one service, with its ``HW_<SERVICE>_ENDPOINT`` variable."""
    return dict(endpoint=dict(type="str", fallback=_env("HW_%s_ENDPOINT" % service.upper())))


def check_plain_id(value: str | None, option: str) -> None:
    if value is not None and not PLAIN_ID.fullmatch(value):
        raise ConfigurationError("%s must be %s, got %r" % (option, PLAIN_ID_RULE, value))


def check_connection_options(params: dict, origins: dict | None = None) -> None:
    """Reject malformed connection and credential options before anything is sent.

    ``origins`` names where a value read from a file came from, so that a message points there.
    """
    origins = origins or {}
    for option in ("project_id", "project_name", "domain_id"):
        check_plain_id(params.get(option), origins.get(option, option))
    if params.get("region") and not REGION.fullmatch(params["region"]):
        raise ConfigurationError("%s must look like 'cn-north-4', got %r" % (origins.get("region", "region"), params["region"]))
    if params.get("cloud") and not DOMAIN_SUFFIX.fullmatch(params["cloud"]):
        raise ConfigurationError("cloud must be a domain suffix such as 'myhuaweicloud.com', got %r" % params["cloud"])
    if not 0 < params["api_timeout"] <= MAX_API_TIMEOUT:
        raise ConfigurationError("api_timeout must be between 1 and %d seconds, got %s" % (MAX_API_TIMEOUT, params["api_timeout"]))
    if params.get("ca_path") and not (os.path.isfile(params["ca_path"]) and os.access(params["ca_path"], os.R_OK)):
        raise ConfigurationError("ca_path %s is not a readable file" % params["ca_path"])
    if not 0 <= params["max_retries"] <= MAX_RETRIES_LIMIT:
        raise ConfigurationError("max_retries must be between 0 and %d, got %s" % (MAX_RETRIES_LIMIT, params["max_retries"]))
    for option in HEADER_OPTIONS:
        if params.get(option) and not HEADER_SAFE.fullmatch(params[option]):
            # Never echo the value: it is (or sits next to) a secret.
            raise ConfigurationError("%s cannot be sent in an HTTP header: it holds whitespace, a line break, a control character "
                                     "or a non-ASCII character (the value is not shown)" % origins.get(option, option))


class HuaweiCloudModule:
    """Base class of the collection's modules: options, the client, results and clean failures.

    :meth:`main` builds the AnsibleModule from :meth:`argument_spec` and the class's rules
    (``required_one_of``, ``mutually_exclusive``). :meth:`execute` checks before it sends anything, in
    this order: the connection and credential options (with credentials read from files and
    variables), then the module's own options (:meth:`check_options`); then it builds the client
    (:meth:`connect`) and calls :meth:`run`, every request within the run's deadline (:meth:`run_deadline`).
    ``run`` puts what it has into ``self.result`` as it goes; the module exits with it, and any
    :class:`HuaweiCloudError` raised on the way becomes ``fail_json`` with a clear message and it.

    Modules that change things set ``changed`` (or call :meth:`changed_by`), read ``check_mode``,
    and give :meth:`set_diff` what ``--diff`` shows; :meth:`exit` and :meth:`fail` report both.

    Server text reaches users here, and only here, made safe: ansible-core 2.19 and later print
    ``msg`` and warnings as they are, so every message and every warning (``module.warn`` included,
    whoever calls it) has its control characters escaped (:func:`printable`), and no text of a
    result holds a lone surrogate (:func:`without_surrogates`), which ansible-core refuses.
    """

    service = ""  # the API's service name, for example "ddm"
    required_one_of = ()  # AnsibleModule's rules for the options
    mutually_exclusive = ()

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.check_mode = module.check_mode
        self.changed = False
        self.client = None
        self.endpoint = None
        self.deadline = None  # the Deadline by which the run ends (run_deadline), or None
        self.result = {}  # what the run has to show so far: the exit and any failure carry it
        self._diff = None
        self._ansible_warn = module.warn
        module.warn = self.warn  # every warning, whoever gives it, is escaped

    def warn(self, text: str, **options) -> None:
        """A warning, with server text escaped (see the class); ``options`` go to AnsibleModule.warn as they are."""
        self._ansible_warn(printable(str(text)), **options)

    @classmethod
    def main(cls) -> None:
        """Run the module: an AnsibleModule from the class's options and rules, then :meth:`execute`."""
        module = AnsibleModule(argument_spec=cls.argument_spec(), supports_check_mode=True, required_one_of=list(cls.required_one_of),
                               mutually_exclusive=list(cls.mutually_exclusive))
        cls(module).execute()

    def execute(self) -> None:
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        # Made before anything else: every phase of the run (the project lookup, logins, temporary credentials, the
        # waits and the lookups after them) must end by it, and each request keeps to it (HuaweiCloudClient.within).
        self.deadline = self.run_deadline()
        try:
            self.connect()
            with self.client.within(self.deadline):
                self.run()
        except HuaweiCloudError as exc:
            self.fail(self.failure(exc))
        else:
            self.exit()

    def run_deadline(self) -> Deadline | None:
        """The :class:`Deadline` that bounds the whole run, or None (no limit but each request's): a module that waits says."""
        return None

    def failure(self, error: HuaweiCloudError) -> str:
        """The message of a run that failed with ``error``; a module may add to ``self.result`` what the error knows."""
        if isinstance(error, DeadlineExceeded) and self.deadline is not None:
            return self.deadline.explain(error)  # outside any wait: a lookup before or after one, or a write
        return str(error)

    def connect(self) -> None:
        """Check every option, then build the client. Nothing is sent here."""
        module, params = self.module, self.module.params
        settings = resolve_credentials(params)
        for secret in settings.secrets:
            module.no_log_values.add(secret)  # read from a file: Ansible does not know to mask it
        check_connection_options(settings.params, settings.origins)
        self.check_options()
        auth = build_auth(settings, on_secret=module.no_log_values.add)
        self.endpoint = service_endpoint(self.service, settings.params["region"], params["cloud"], params.get("endpoint"))
        iam_url = iam_endpoint(settings.params["region"], params["cloud"], settings.params["iam_endpoint"])
        for warning in settings.warnings:
            module.warn(warning)
        self.client = HuaweiCloudClient(
            auth, iam_url=iam_url, region=settings.params["region"], project_id=settings.params["project_id"],
            project_name=settings.params["project_name"], timeout=params["api_timeout"],
            verify=(params["ca_path"] or True) if params["validate_certs"] else False, retry=RetryPolicy(max_retries=params["max_retries"]),
            on_secret=module.no_log_values.add,  # tokens fetched at run time: a server may echo them in an error
            secrets=module.no_log_values)  # masked in server text before it is cut (a cut would leave a secret's start visible)
        self._warn_about_transport(auth.kind, iam_url, settings.params)

    @classmethod
    def argument_spec(cls) -> dict:
        spec = huaweicloud_argument_spec()
        spec.update(endpoint_argument_spec(cls.service))
        return spec

    def check_options(self) -> None:
        """Module-specific validation of ``self.params``; raise ConfigurationError. Runs before any request."""

    def run(self) -> None:
        """The module's calls; what they find goes into ``self.result``. Raise a HuaweiCloudError to fail."""
        raise NotImplementedError

    def changed_by(self, before: dict | None = None, after: dict | None = None) -> None:
        """Note a change (made, or in check mode planned); ``before`` and ``after`` add to what ``--diff`` shows."""
        self.changed = True
        if before or after:
            diff = self._diff or {"before": {}, "after": {}}
            diff["before"].update(before or {})
            diff["after"].update(after or {})
            self._diff = diff

    def set_diff(self, before: dict, after: dict) -> None:
        """What ``--diff`` shows: the resource before and after (never a secret)."""
        self._diff = {"before": before, "after": after}

    def exit(self, **result) -> None:
        """Exit with ``self.result`` and ``result``."""
        self._warn_about_retries()
        result = dict(self.result, **result)
        if "msg" in result:
            result["msg"] = printable(str(result["msg"]))
        self.module.exit_json(**self._finish(result))

    def fail(self, msg: str, **result) -> None:
        """Fail saying ``msg``, with ``self.result`` and ``result``."""
        self._warn_about_retries()
        self.module.fail_json(msg=printable(str(msg)), **self._finish(dict(self.result, **result)))

    def _finish(self, result: dict) -> dict:
        result.setdefault("changed", self.changed)
        if self._diff is not None and self.module._diff:  # pylint: disable=protected-access
            result.setdefault("diff", self._diff)
        return without_surrogates(result)

    def _warn_about_retries(self) -> None:
        # Throttling and flaky gateways should be visible, not silently absorbed.
        if self.client is not None and self.client.retry_events:
            counts = Counter(self.client.retry_events)
            detail = ", ".join("%s x%d" % (name, count) for name, count in sorted(counts.items()))
            self.module.warn("Huawei Cloud requests were retried %d time(s): %s" % (len(self.client.retry_events), detail))

    def _warn_about_transport(self, auth_kind: str, iam_url: str, settings: dict) -> None:
        if not self.module.params["validate_certs"]:
            self.module.warn("validate_certs is false: TLS certificates are not verified, so the API's identity is not checked")
        uses_iam = auth_kind == "password" or not settings["project_id"] or bool(settings.get("agency_name"))
        urls = [self.endpoint] + ([iam_url] if uses_iam else [])
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme.lower() == "http" and not is_loopback(url):
                self.module.warn("INSECURE: credentials are sent over plain http:// to %s; use https://" % parts.netloc)
