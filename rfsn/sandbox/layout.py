"""Where rfsn puts things inside a sandbox's image: the environment's root and the CA bundle."""

from __future__ import annotations

#: the environment's root in every env image ($RFSN_ENV): venv, build notes, the project's source
ENV_ROOT = "/opt/rfsn"
#: where the host's CA bundle is copied into an image (the proxy's CA for pip and git)
CA_PATH = "/etc/rfsn/ca.crt"
#: the variables that point each tool (pip, requests, curl, node, cargo, git) at ``CA_PATH``
CA_VARIABLES = (
    "PIP_CERT",
    "REQUESTS_CA_BUNDLE",
    "SSL_CERT_FILE",
    "CURL_CA_BUNDLE",
    "NODE_EXTRA_CA_CERTS",
    "CARGO_HTTP_CAINFO",
    "GIT_SSL_CAINFO",
)


def ca_environment() -> dict[str, str]:
    return dict.fromkeys(CA_VARIABLES, CA_PATH)
