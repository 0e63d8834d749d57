"""Logging in to the console from Flask's test client, shared by the console tests."""

from __future__ import annotations

import re

from bot.store.users import add_user

PASSWORD = "correct-horse"
USERS = {"staff1": "staff", "rev1": "reviewer", "boss": "leader", "root": "admin"}


def add_people(engine) -> None:  # type: ignore[no-untyped-def]
    for name, role in USERS.items():
        add_user(engine, name, PASSWORD, role)


def csrf_token(client, path: str = "/admin/login") -> str:  # type: ignore[no-untyped-def]
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


class Auth:
    def __init__(self, client) -> None:  # type: ignore[no-untyped-def]
        self.client = client

    def login(self, username: str, password: str = PASSWORD, **environ: str):  # type: ignore[no-untyped-def]
        token = csrf_token(self.client)
        return self.client.post(
            "/admin/login",
            data={"username": username, "password": password, "csrf_token": token},
            environ_base=environ,
        )
