"""``Approved``: the only thing an executor accepts, and only the gate can make one.

Construction needs a capability token private to this module, which only
``rfsn.gate.gate`` uses. An Approved is immutable, cannot be copied or pickled,
and carries a seal (an HMAC, keyed per process, over the proposal and the
patch to apply): re-pointing it at another proposal by any back door breaks
the seal, and every read of its contents checks the seal first.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any, NoReturn

from rfsn.errors import ForgedApproval
from rfsn.models import Proposal

_TOKEN = object()
_KEY = secrets.token_bytes(32)


def _seal(proposal: Proposal, patch: str | None) -> str:
    body = proposal.model_dump_json().encode() + b"\x00" + (patch or "").encode("utf-8", "surrogatepass")
    return hmac.new(_KEY, body, hashlib.sha256).hexdigest()


class Approved:
    """A proposal the gate accepted, with the exact diff to apply for an edit."""

    __slots__ = ("_patch", "_proposal", "_seal")
    _proposal: Proposal
    _patch: str | None
    _seal: str

    def __init__(self, token: object, proposal: Proposal, patch: str | None = None) -> None:
        if token is not _TOKEN:
            raise ForgedApproval("only the gate can approve a proposal; call Gate.approve()")
        object.__setattr__(self, "_proposal", proposal)
        object.__setattr__(self, "_patch", patch)
        object.__setattr__(self, "_seal", _seal(proposal, patch))

    def _check(self) -> None:
        try:
            proposal, patch, seal = self._proposal, self._patch, self._seal
        except AttributeError:
            raise ForgedApproval("this Approved was not made by the gate") from None
        if not hmac.compare_digest(seal, _seal(proposal, patch)):
            raise ForgedApproval("this Approved was altered after the gate issued it")

    @property
    def proposal(self) -> Proposal:
        self._check()
        return self._proposal

    @property
    def patch(self) -> str | None:
        """For an edit, the unified diff to apply (the gate's own for old/new replacements)."""
        self._check()
        return self._patch

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError("Approved is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("Approved is immutable")

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        raise TypeError("Approved cannot be copied or pickled")

    def __copy__(self) -> NoReturn:
        raise TypeError("Approved cannot be copied")

    def __deepcopy__(self, memo: Any) -> NoReturn:
        raise TypeError("Approved cannot be copied")

    def __repr__(self) -> str:
        return f"Approved({self._proposal!r})"


def _issue(proposal: Proposal, patch: str | None) -> Approved:
    """Used by the gate module only."""
    return Approved(_TOKEN, proposal, patch)
