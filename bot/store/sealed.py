"""Residents' phone numbers, encrypted at rest with a key derived from PUFA_SECRET_KEY."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class Sealer:
    """Changing PUFA_SECRET_KEY makes numbers sealed under the old key unreadable: they show
    as 无法解密, and the helper asks the resident again."""

    def __init__(self, secret: str) -> None:
        self._fernet: Fernet | None = None
        if secret:
            key = HKDF(hashes.SHA256(), 32, salt=b"pufa", info=b"resident phone").derive(
                secret.encode()
            )
            self._fernet = Fernet(base64.urlsafe_b64encode(key))

    @property
    def ready(self) -> bool:
        return self._fernet is not None

    def seal(self, text: str) -> str:
        if self._fernet is None:
            raise ValueError("no secret key to seal with")
        return self._fernet.encrypt(text.encode()).decode()

    def open(self, token: str | None) -> str | None:
        if not token:
            return None
        if self._fernet is None:
            return "无法解密"
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            return "无法解密"
