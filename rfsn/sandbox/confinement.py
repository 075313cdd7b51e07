"""What a session's container may do (docs/security.md): it runs as an unprivileged user who
can write only the working tree, the scratch directory, size-limited tmpfs mounts over the
system's world-writable directories and the env's copy-on-write layer, with no network, no
capabilities, ``no-new-privileges`` and memory, CPU, pids and file-size limits.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rfsn.settings.values import parse_bytes

#: the user commands run as when rfsn itself runs as root ("nobody")
UNPRIVILEGED = 65534


#: the directories every user may write in a Debian system (FHS): size-limited tmpfs mounts
#: hide them, so that the sandbox user's writes outside /testbed and the env stay in memory
WORLD_WRITABLE = ("/tmp", "/var/tmp", "/run/lock")  # /dev/shm: Docker's own 64 MB tmpfs

#: the container's host name; it resolves to the loopback address, as a machine's own name does
HOSTNAME = "sandbox"
#: the loopback's IPv6 address on, as a machine's is (Docker turns it off without a network, and
#: its /etc/hosts still maps ``localhost`` to ``::1``: a server on localhost failed to bind,
#: ``[Errno 99] Cannot assign requested address``); where the host's kernel has IPv6
LOOPBACK_IPV6 = {"sysctls": {"net.ipv6.conf.lo.disable_ipv6": "0"}} if Path("/proc/sys/net/ipv6/conf").is_dir() else {}


@dataclass(frozen=True)
class Limits:
    """What a session's container may use: ``memory`` (a size: "4g"), ``cpus``, ``pids`` (processes
    at once), ``tmp_size`` (each tmpfs over a world-writable directory) and ``file_size`` (the
    largest file it may write)."""

    memory: str
    cpus: float
    pids: int
    tmp_size: str = "1g"
    file_size: str = "4g"


def sandbox_user() -> tuple[int, int]:
    """The uid:gid commands run as: the host's own, or ``nobody`` when that would be root."""
    uid, gid = os.getuid(), os.getgid()
    return (UNPRIVILEGED, UNPRIVILEGED) if uid == 0 else (uid, gid)


def open_to(tree: Path, uid: int, gid: int) -> None:
    """Let ``uid`` write the working tree (not ``.git``): its regular files become ``uid:gid``'s, as
    they are when rfsn runs as that user (a build may chmod them), directories get ``a+rwx``.

    Directories and ``.git`` stay the host's, so git's ownership checks hold; rfsn changes no
    executable bit, so the patch diff is unaffected.
    """
    if uid == os.getuid():
        return
    tree.chmod(tree.stat().st_mode | 0o777)
    for root, dirs, files in os.walk(tree):
        if root == str(tree) and ".git" in dirs:
            dirs.remove(".git")
        for name in dirs:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, os.stat(path).st_mode | 0o777)
        for name in files:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chown(path, uid, gid)
                os.chmod(path, os.stat(path).st_mode | 0o666)


def confined(uid: int, gid: int, limits: Limits) -> dict[str, Any]:
    """The options of ``containers.run`` that confine a session's container to the user
    ``uid:gid`` and ``limits``."""
    import docker.types

    tmp_size, file_size, memory = limits.tmp_size, limits.file_size, limits.memory
    return {
        "network_mode": "none",
        "hostname": HOSTNAME,
        "extra_hosts": {HOSTNAME: "127.0.0.1"},
        **LOOPBACK_IPV6,
        "user": f"{uid}:{gid}",
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "privileged": False,
        # Setup may install into the env (/opt/rfsn): the container's copy-on-write
        # layer holds its writes. A volume copy of the env cost seconds per
        # session to create and more to delete (every file of a virtualenv).
        "read_only": False,
        "tmpfs": {path: f"rw,exec,nosuid,nodev,size={parse_bytes(tmp_size)},mode=1777" for path in WORLD_WRITABLE},
        "ulimits": [docker.types.Ulimit(name="fsize", soft=parse_bytes(file_size), hard=parse_bytes(file_size))],
        "mem_limit": parse_bytes(memory),
        "memswap_limit": parse_bytes(memory),
        "nano_cpus": int(limits.cpus * 1e9),
        "pids_limit": limits.pids,
    }
