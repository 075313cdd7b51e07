"""Where rfsn puts things inside a sandbox's image: the environment's root and the CA bundle."""

from __future__ import annotations

#: the environment's root in every env image ($RFSN_ENV): venv, build notes, the project's source
ENV_ROOT = "/opt/rfsn"
#: where the host's CA bundle is copied into an image (the proxy's CA for pip and git)
CA_PATH = "/etc/rfsn/ca.crt"
