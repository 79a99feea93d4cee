"""Encrypting citizens' personal data with per-case keys (crypto-shredding).

`CitizenVault` is the `Hotline.citizen_codec` of a deployment with a master
key: each case gets a random 256-bit data key; the citizen object is sealed
with AES-GCM under it (the case reference as associated data, so a sealed
value cannot be moved to another case); the data key is stored wrapped by
the master key in the key table (persistence.keys). Forgetting a case
deletes its data key: the sealed bytes stay in the immutable event (the
hash chain still verifies) but nobody, with or without the master key, can
open them again.

Without a master key a store that already holds keys is *locked*: reads and
reports work, but receiving a case with citizen data is refused rather than
silently storing it in clear.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import IntegrityError

from persistence.keys import KeyTable
from workflow import CaseNotFound, Hotline
from workflow.personal import SCHEME, SEALED, PersonalDataUnavailable, is_sealed
from workflow.vocabulary import SHANGHAI

NONCE = 12
REMEMBERED = 50_000  # stored keys kept in memory for a retried batch



def local_time_text(stored: str | None) -> str:
    """A stored UTC time of forgetting as Asia/Shanghai, like every other
    time the commands print (the stored value stays UTC)."""
    if not stored:
        return "an unknown date"
    try:
        moment = datetime.fromisoformat(stored)
    except ValueError:
        return stored
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")

class MasterKeyError(ValueError):
    pass


def parse_master_key(text: str) -> bytes:
    """A master key written as 64 hex digits or base64 of 32 bytes."""
    text = text.strip()
    try:
        raw = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(
            text + "=" * (-len(text) % 4), altchars=b"-_" if ("-" in text or "_" in text) else None,
            validate=True,
        )
    except (ValueError, binascii.Error):
        raise MasterKeyError("the key must be 64 hex digits or base64 of 32 bytes") from None
    if len(raw) != 32:
        raise MasterKeyError(f"the key must be 32 bytes (AES-256), got {len(raw)}")
    return raw


def new_master_key() -> str:
    """A fresh master key, base64 (what `hotline citizen new-key` prints)."""
    return base64.b64encode(os.urandom(32)).decode()


def master_id(master: bytes) -> str:
    """A short public name for a master key (a hash: reveals nothing of it)."""
    return hashlib.sha256(b"hotline-master-key:" + master).hexdigest()[:12]


def _aad(kind: str, case: str) -> bytes:
    return f"hotline-{kind}:{case}".encode()


class SealBroken(ValueError):
    """The sealed bytes do not open with this key (AES-GCM's InvalidTag)."""


# cryptography is imported when a seal is first made or opened: a store with
# no key, and every command that only reads, start without it.
def _seal(key: bytes, plain: bytes, aad: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plain, aad)


def _open(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(key).decrypt(sealed[:NONCE], sealed[NONCE:], aad)
    except InvalidTag:
        raise SealBroken("the tag does not match") from None


def _new_key() -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM.generate_key(bit_length=256)


class CitizenVault:
    """Seals citizens on receive, reveals them on request, forgets them."""

    def __init__(self, hotline: Hotline, master: bytes | None) -> None:
        self.keys = KeyTable(hotline.recorder)
        self.hotline = hotline
        self.master = master
        self.master_id = master_id(master) if master else None
        self._new: dict[str, tuple[bytes, bytes]] = {}  # case -> (data key, wrapped)
        self._stored: dict[str, bytes] = {}  # keys this vault stored (the newest few)
        self._look_up: set[str] = set()  # cases whose row must be read first

    # -- the codec: called before the Received event is created ---------------------

    def __call__(self, case: str, citizen: dict[str, Any] | None) -> dict[str, Any] | None:
        if citizen is None:
            return None
        if self.master is None:
            raise PersonalDataUnavailable(
                case, "this store encrypts personal data and no key is configured "
                "(set HOTLINE_KEY or key_file; see docs/operations.md)",
            )
        plain = json.dumps(citizen, ensure_ascii=False, sort_keys=True).encode()
        sealed = _seal(self._data_key(case), plain, _aad("citizen", case))
        return {SEALED: base64.b64encode(sealed).decode(), "scheme": SCHEME}

    def _data_key(self, case: str) -> bytes:
        # A new case almost never has a key row yet, so one is made without
        # asking the table (a query per line would slow an import by a
        # third); `flush` detects the rare row that exists, and the cases
        # involved are then looked up on the retry.
        if case in self._new:
            return self._new[case][0]
        if case in self._stored:
            return self._stored[case]
        if case in self._look_up:
            row = self.keys.get(case)
            if row is not None and row.wrapped is not None:
                return self._unwrap(case, row.master_id, row.wrapped)
            if row is not None:  # forgotten: never reuse the reference's key
                raise PersonalDataUnavailable(
                    case, f"its data was forgotten ({local_time_text(row.forgotten)})")
        assert self.master is not None
        key = _new_key()
        self._new[case] = (key, _seal(self.master, key, _aad("key", case)))
        return key

    def flush(self) -> None:
        """Store the keys created since the last flush (one transaction),
        before the events sealed with them. A case that already had a row
        (another writer's, or one left by a save that failed) makes the save
        fail as a conflict: nothing of ours is stored, the retry reads it."""
        new, self._new = self._new, {}
        rows = [(case, self.master_id or "", wrapped) for case, (_, wrapped) in new.items()]
        clashes = self.keys.insert_new(rows) if rows else []
        for case, (key, _) in new.items():
            if case not in clashes:
                self._stored[case] = key
                if len(self._stored) > REMEMBERED:
                    self._stored.pop(next(iter(self._stored)))
        if clashes:
            self._look_up.update(clashes)
            raise IntegrityError(f"a per-case key already existed for {len(clashes)} case(s)")

    # -- explicit reads and the shredder ------------------------------------------------

    def reveal(self, case: str, stored: Any) -> dict[str, Any] | None:
        if not is_sealed(stored):
            return stored  # type: ignore[no-any-return]  # None, or received without a key
        row = self.keys.get(case)
        if row is None:
            raise PersonalDataUnavailable(case, "its data key is missing from the key table")
        if row.wrapped is None:
            raise PersonalDataUnavailable(
                case, f"it was forgotten on {local_time_text(row.forgotten)} (crypto-shredded)"
            )
        if self.master is None:
            raise PersonalDataUnavailable(case, "it is encrypted and no key is configured")
        key = self._unwrap(case, row.master_id, row.wrapped)
        try:
            plain = _open(key, base64.b64decode(stored[SEALED]), _aad("citizen", case))
        except (ValueError, binascii.Error):  # SealBroken is a ValueError
            raise PersonalDataUnavailable(case, "the sealed data does not open") from None
        return json.loads(plain)  # type: ignore[no-any-return]

    def _unwrap(self, case: str, wrapped_by: str | None, wrapped: bytes) -> bytes:
        if self.master is None or wrapped_by != self.master_id:
            raise PersonalDataUnavailable(
                case, f"its key is wrapped by master key {wrapped_by}, the configured key is "
                f"{self.master_id or 'none'} (rotate with `hotline citizen rotate-key`)",
            )
        try:
            return _open(self.master, wrapped, _aad("key", case))
        except SealBroken:
            raise PersonalDataUnavailable(case, "its wrapped key does not open") from None

    def forget(self, case: str) -> str:
        """Delete the case's data key for good; returns what was done."""
        stored = self.hotline.events_of(case)
        if not stored:
            raise CaseNotFound(case)
        citizen = stored[0].citizen  # type: ignore[attr-defined]
        if citizen is None:
            return f"case {case}: no personal data was recorded; nothing to forget"
        if not is_sealed(citizen):
            raise PersonalDataUnavailable(
                case, "it was received without a key and is stored in clear in the event "
                "log; it cannot be shredded (see docs/operations.md)",
            )
        row = self.keys.get(case)
        if row is not None and row.wrapped is None:
            return (f"case {case}: personal data already forgotten on "
                    f"{local_time_text(row.forgotten)}")
        when = self.keys.forget(case)
        return (f"case {case}: personal data forgotten on {local_time_text(when)}; "
                f"the case and its chain are kept")

    def rotate(self, new_master: bytes) -> int:
        """Re-wrap every live per-case key under `new_master` (one transaction);
        returns how many. The events are untouched: only wrappers change."""
        rows = self.keys.all_wrapped()
        new_id = master_id(new_master)
        rewrapped = []
        for case, wrapped_by, wrapped in rows:
            if wrapped_by == new_id:
                continue
            key = self._unwrap(case, wrapped_by, wrapped)
            rewrapped.append((case, new_id, _seal(new_master, key, _aad("key", case))))
        self.keys.rewrap(rewrapped)
        self.master, self.master_id = new_master, new_id
        return len(rewrapped)


def install_vault(hotline: Hotline, master: bytes | None) -> CitizenVault | None:
    """Give `hotline` a vault when a key is configured or the store already
    holds per-case keys (then it is locked without the key)."""
    vault = CitizenVault(hotline, master)
    if master is None and vault.keys.count() == 0:
        return None
    hotline.citizen_codec = vault
    return vault
