# Copyright: Contributors to the huaweicloud.cloud collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets never reach Ansible's output, even at -vvv and on failures; TLS is verified; plain http is flagged.

Secrets are given the ways users should give them: play variables through ``module_defaults``
(``robust_secrets.yml``, whose loop items hold no secret) or environment variables. Never in an
ad-hoc ``-a`` string: ansible-core repeats those arguments itself when a task fails.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os

import pytest

from harness.emulator import (  # pylint: disable=import-error
    ACCESS_KEY, DOMAIN_NAME, PROJECT_ID, REGION, SECRET_KEY, SECURITY_TOKEN, STATIC_TOKEN, TEMP_ACCESS_KEY, TEMP_SECRET_KEY,
    USER_NAME, USER_PASSWORD, EmulatorProcess,
)

FAST = {"ANSIBLE_PIPELINING": "1"}
# ansible-core 2.21 leaves the module's arguments (``invocation``) out of results unless asked:
# ask, so that the verbose runs show them (masked) on every version.
VERBOSE = dict(FAST, ANSIBLE_INJECT_INVOCATION="true")
# Every secret value the emulator knows; tokens it issues for passwords all start with MIIEMU.
SECRETS = (STATIC_TOKEN, SECRET_KEY, TEMP_SECRET_KEY, SECURITY_TOKEN, USER_PASSWORD, "MIIEMU")
# Header names whose presence in the output would mean request headers were dumped.
SECRET_HEADERS = ("Authorization", "X-Auth-Token", "X-Security-Token", "X-Subject-Token")
UNAVAILABLE = {"status": 503, "json": {"error_code": "APIGW.0203", "error_msg": "Service unavailable.", "request_id": None}}
REJECTED = {"status": 401, "json": {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information.", "request_id": None}}


def _assert_no_secrets(run):
    # The JSON result is part of stdout; it is also checked decoded, as a user's registered variable would hold it.
    text = run.stdout + run.stderr + (json.dumps(run.data) if getattr(run, "json_output", False) else "")
    for secret in SECRETS:
        assert secret not in text, "%r appears in the output:\n%r" % (secret, run)
    for header in SECRET_HEADERS:
        assert header.lower() not in text.lower(), "%r appears in the output:\n%r" % (header, run)


def _path(job_id):
    return "/v3/%s/jobs/%s" % (PROJECT_ID, job_id)


def _failure_paths(emulator):
    """Jobs and faults for success and each failure path; returns the loop cases and the expected message starts."""
    done = emulator.post_job()["id"]
    running = emulator.post_job(duration=3600)["id"]
    flaky = emulator.post_job()["id"]
    refused = emulator.post_job()["id"]
    emulator.add_fault(count=2, method="GET", path="/jobs/%s$" % flaky, **UNAVAILABLE)
    emulator.add_fault(count=2, method="GET", path="/jobs/%s$" % refused, **REJECTED)
    cases = [
        {"case": "success", "job_id": done},
        {"case": "api-error", "job_id": "nosuchjob0001"},
        {"case": "refused", "job_id": refused},
        {"case": "retries-exhausted", "job_id": flaky, "max_retries": 1},
        {"case": "timeout", "job_id": running, "wait": True, "wait_timeout": 1, "wait_interval": 1},
        {"case": "bad-input", "job_id": "a/b"},
    ]
    expected = {
        "api-error": "job nosuchjob0001 not found in project %s" % PROJECT_ID,
        "refused": "HTTP 401 APIGW.0301: Incorrect IAM authentication information.",
        "retries-exhausted": "HTTP 503 APIGW.0203: Service unavailable.",
        "timeout": "Timed out after 1 s waiting for DDM job %s" % running,
        "bad-input": "job_id must be a plain id",
    }
    return cases, expected, [done, running, flaky, refused]


def _check_outcomes(run, cases, expected):
    items = run.result("Run each case")["results"]
    assert [item["item"]["case"] for item in items] == [case["case"] for case in cases]
    for item in items:
        label = item["item"]["case"]
        if label == "success":
            assert item.get("failed") is not True, item
            assert item["job"]["status"] == "Completed"
        else:
            assert item["failed"] is True, item
            assert item["msg"].startswith(expected[label]), (label, item["msg"])


def _check_log(emulator, job_ids, headers):
    log = emulator.requests_log()
    gets = [entry for entry in log if entry["path"] in {_path(job_id) for job_id in job_ids}]
    assert gets, log
    for entry in gets:
        for header in headers:
            # Sent, and redacted by the emulator's own log.
            assert entry["headers"].get(header) == "***", (header, entry)
    dumped = json.dumps(log)
    for secret in SECRETS:
        assert secret not in dumped, secret
    return log


SCHEMES = {
    "token": ({"hw_project_id": PROJECT_ID, "hw_auth_token": STATIC_TOKEN}, ("X-Auth-Token",)),
    "temporary-aksk": ({"hw_project_id": PROJECT_ID, "hw_access_key": TEMP_ACCESS_KEY, "hw_secret_key": TEMP_SECRET_KEY,
                        "hw_security_token": SECURITY_TOKEN}, ("Authorization", "X-Security-Token")),
    "password": ({"hw_region": REGION, "hw_user_name": USER_NAME, "hw_password": USER_PASSWORD, "hw_domain_name": DOMAIN_NAME},
                 ("X-Auth-Token",)),
}


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_no_secret_in_verbose_output_from_module_defaults(ansible_runner, emulator, scheme):
    credentials, headers = SCHEMES[scheme]
    cases, expected, job_ids = _failure_paths(emulator)
    variables = dict(credentials, cases=cases, hw_endpoint=emulator.url, hw_iam_endpoint=emulator.url)

    run = ansible_runner.playbook("robust_secrets.yml", variables, env=VERBOSE, verbosity=3)

    assert run.rc == 0, run
    _check_outcomes(run, cases, expected)
    _assert_no_secrets(run)
    log = _check_log(emulator, job_ids, headers)
    if scheme == "password":
        # One login per module run past validation, and one more after the 401 of "refused" (a token is renewed once).
        # The password travels only in the login body: never logged, never in a header.
        logins = [entry for entry in log if entry["path"] == "/v3/auth/tokens"]
        assert len(logins) == len(cases), log
        assert all(entry["auth"] == "none" and "X-Auth-Token" not in entry["headers"] for entry in logins)


def test_no_secret_in_verbose_output_from_environment(ansible_runner, emulator):
    cases, expected, job_ids = _failure_paths(emulator)
    env = dict(VERBOSE, HW_ACCESS_KEY=ACCESS_KEY, HW_SECRET_KEY=SECRET_KEY, HW_PROJECT_ID=PROJECT_ID)

    run = ansible_runner.playbook("robust_secrets.yml", {"cases": cases, "hw_endpoint": emulator.url}, env=env, verbosity=3)

    assert run.rc == 0, run
    _check_outcomes(run, cases, expected)
    _assert_no_secrets(run)
    log = _check_log(emulator, job_ids, ("Authorization",))
    assert {entry["access_key"] for entry in log} == {ACCESS_KEY}


def test_adhoc_failure_with_secrets_from_environment(ansible_runner, emulator):
    # ansible-core echoes a failed ad-hoc task's -a string; secrets in the environment stay out of it.
    env = dict(VERBOSE, HW_USER_NAME=USER_NAME, HW_USER_PASSWORD=USER_PASSWORD, HW_DOMAIN_NAME=DOMAIN_NAME, HW_REGION_NAME=REGION)
    run = ansible_runner.adhoc("job_id=nosuchjob0001 endpoint=%s iam_endpoint=%s" % (emulator.url, emulator.url), env=env, json_output=False,
                               verbosity=3)

    assert run.rc == 2, run
    assert "localhost | FAILED! =>" in run.stdout, run
    assert "job nosuchjob0001 not found in project %s" % PROJECT_ID in run.stdout, run
    _assert_no_secrets(run)
    assert [(entry["path"], entry["status"]) for entry in emulator.requests_log()] == [("/v3/auth/tokens", 201), (_path("nosuchjob0001"), 400)]

    # An -a string ansible-core cannot split is printed back whole; the secrets were never in it.
    broken = ansible_runner.adhoc("job_id='unterminated endpoint=%s" % emulator.url, env=env, json_output=False, verbosity=3)

    assert broken.rc != 0, broken
    assert "failed at splitting arguments" in broken.output and "endpoint=%s" % emulator.url in broken.output, broken
    _assert_no_secrets(broken)


# --------------------------------------------------------------------------- TLS and plain http

def _self_signed_certificate(directory):
    """A certificate for 127.0.0.1 that is its own CA, and its key, as PEM files."""
    from cryptography import x509  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import hashes, serialization  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives.asymmetric import ec  # pylint: disable=import-outside-toplevel
    from cryptography.x509.oid import NameOID  # pylint: disable=import-outside-toplevel

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ddm emulator test CA")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    with open(cert_path, "wb") as handle:
        handle.write(certificate.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture(scope="module")
def tls_emulator(tmp_path_factory):
    cert_path, key_path = _self_signed_certificate(str(tmp_path_factory.mktemp("tls")))
    process = EmulatorProcess(verifier="builtin", tls_cert=cert_path, tls_key=key_path)
    process.start()
    yield process
    process.stop()


def test_tls_verification_and_plain_http_warnings(ansible_runner, emulator, tls_emulator, tmp_path):
    unrelated_ca, _key = _self_signed_certificate(str(tmp_path))
    tls_emulator.reset()
    secure_job = tls_emulator.post_job()["id"]
    plain_job = emulator.post_job()["id"]
    token = {"project_id": PROJECT_ID, "auth_token": STATIC_TOKEN}
    password = {"region": REGION, "user_name": USER_NAME, "password": USER_PASSWORD, "domain_name": DOMAIN_NAME}
    cases = [
        # TLS errors are final: max_retries would allow three more attempts.
        dict(token, case="tls-default", job_id=secure_job, endpoint=tls_emulator.url, max_retries=3),
        dict(token, case="tls-ca-path", job_id=secure_job, endpoint=tls_emulator.url, ca_path=tls_emulator.tls_cert),
        dict(token, case="tls-unverified", job_id=secure_job, endpoint=tls_emulator.url, validate_certs=False),
        # validate_certs=false wins over a ca_path (which would refuse this server).
        dict(token, case="tls-unverified-with-ca", job_id=secure_job, endpoint=tls_emulator.url, validate_certs=False, ca_path=unrelated_ca),
        # .invalid never resolves: nothing leaves the machine.
        dict(token, case="http-remote", job_id=plain_job, endpoint="http://ddm.example.invalid", max_retries=0, api_timeout=2),
        dict(token, case="https-remote", job_id=plain_job, endpoint="https://ddm.example.invalid", max_retries=0, api_timeout=2),
        dict(token, case="http-loopback", job_id=plain_job, endpoint=emulator.url),
        dict(password, case="http-remote-iam", job_id=plain_job, endpoint=emulator.url, iam_endpoint="http://iam.example.invalid",
             max_retries=0, api_timeout=2),
    ]

    run = ansible_runner.playbook("robust_cases.yml", {"cases": cases}, env=FAST)

    assert run.rc == 0, run
    task = run.result("Run each case")
    results = {item["item"]["case"]: item for item in task["results"]}
    failure = results["tls-default"]
    assert failure["failed"] is True
    assert failure["msg"].startswith("GET %s%s: TLS error: " % (tls_emulator.url, _path(secure_job))), failure["msg"]
    # Why the certificate was refused, not only that it was.
    assert "certificate verify failed: self-signed certificate" in failure["msg"], failure["msg"]
    assert "gave up" not in failure["msg"], failure["msg"]
    # One handshake, refused by the client: the emulator logs it once and never sees an HTTP request for it.
    assert tls_emulator.stderr_text().count("error serving") == 1, tls_emulator.stderr_text()
    for label in ("tls-ca-path", "tls-unverified", "tls-unverified-with-ca", "http-loopback"):
        assert results[label].get("failed") is not True, results[label]
        assert results[label]["job"]["status"] == "Completed"
    assert [entry["status"] for entry in tls_emulator.requests_log()] == [200, 200, 200]
    for label in ("http-remote", "https-remote"):
        assert results[label]["failed"] is True
        assert "Failed to resolve 'ddm.example.invalid'" in results[label]["msg"], results[label]["msg"]
    assert results["http-remote-iam"]["msg"].startswith("IAM password login failed: POST http://iam.example.invalid/v3/auth/tokens: ")
    # Warnings of loop items are gathered on the task: exactly these, in the items' order.
    assert task["warnings"] == [
        "validate_certs is false: TLS certificates are not verified, so the API's identity is not checked",
    ] * 2 + [
        "INSECURE: credentials are sent over plain http:// to ddm.example.invalid; use https://",
        "INSECURE: credentials are sent over plain http:// to iam.example.invalid; use https://",
    ], task["warnings"]
    assert "INSECURE: credentials are sent over plain http:// to ddm.example.invalid" in run.stdout
    assert [entry["path"] for entry in emulator.requests_log()] == [_path(plain_job)]
