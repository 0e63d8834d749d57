"""A stand-in for the WeChat and WeCom APIs on 127.0.0.1, speaking their JSON and error codes.

It records every request, drops repeated mass sends by clientmsgid as WeChat does (45065),
and can be told to answer the next calls to a path with an error code, a 5xx or a timeout.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

TEXT_FIELDS = {"msgtype", "text"}


@dataclass
class Recorded:
    path: str
    query: dict[str, str]
    body: dict[str, Any]
    answer: dict[str, Any] | None = None


@dataclass
class StandIn:
    tokens_issued: int = 0
    valid_tokens: set[str] = field(default_factory=set)
    requests: list[Recorded] = field(default_factory=list)
    faults: dict[str, list[Any]] = field(default_factory=dict)
    client_msg_ids: dict[str, int] = field(default_factory=dict)
    accepted: list[dict[str, Any]] = field(default_factory=list)  # mass sends WeChat accepted
    tags: dict[str, int] = field(default_factory=dict)
    tag_members: dict[int, set[str]] = field(default_factory=dict)
    delay: float = 0.0
    wecom_keys: set[str] = field(default_factory=lambda: {"robot-key"})
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, path: str, *answers: Any) -> None:
        """Answer the next calls to `path` with these: an errcode, 500, or 'timeout'."""
        self.faults.setdefault(path, []).extend(answers)

    def calls(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    # -- the API ------------------------------------------------------------------------------
    def handle(
        self, path: str, query: dict[str, str], body: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        with self.lock:
            record = Recorded(path, query, body)
            self.requests.append(record)
            faults = self.faults.get(path) or []
            fault = faults.pop(0) if faults else None
        if fault == "timeout":
            time.sleep(3)
            return 200, {"errcode": 0}
        if fault == 500:
            return 500, {"errmsg": "server error"}
        if isinstance(fault, int):
            return 200, {"errcode": fault, "errmsg": f"injected {fault}"}
        if self.delay:
            time.sleep(self.delay)
        if path == "/cgi-bin/webhook/send":
            return 200, self._wecom(query, body)
        if path in ("/cgi-bin/stable_token", "/cgi-bin/token"):
            return 200, self._token(body)
        if query.get("access_token") not in self.valid_tokens:
            return 200, {"errcode": 40001, "errmsg": "invalid credential"}
        with self.lock:
            answer = self._api(path, body)
            record.answer = answer
        return 200, answer

    def _token(self, body: dict[str, Any]) -> dict[str, Any]:
        if (
            body.get("grant_type") != "client_credential"
            or not body.get("appid")
            or not body.get("secret")
        ):
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        with self.lock:
            self.tokens_issued += 1
            token = f"TOKEN-{self.tokens_issued}"
            if body.get("force_refresh"):
                self.valid_tokens.clear()
            self.valid_tokens.add(token)
        return {"access_token": token, "expires_in": 7200}

    def _api(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if path in ("/cgi-bin/message/mass/sendall", "/cgi-bin/message/mass/send"):
            if (
                not set(body) >= TEXT_FIELDS
                or not body["text"].get("content")
                or not body.get("clientmsgid")
            ):
                return {"errcode": 44002, "errmsg": "empty post data"}
            if path.endswith("sendall") and "filter" not in body:
                return {"errcode": 40035, "errmsg": "invalid args"}
            if path.endswith("/send") and len(body.get("touser", [])) < 2:
                return {"errcode": 40130, "errmsg": "invalid openid list size, at least two openid"}
            if body["clientmsgid"] in self.client_msg_ids:
                return {
                    "errcode": 45065,
                    "errmsg": "clientmsgid exist",
                    "msg_id": self.client_msg_ids[body["clientmsgid"]],
                }
            msg_id = len(self.client_msg_ids) + 1000
            self.client_msg_ids[body["clientmsgid"]] = msg_id
            self.accepted.append(body)
            return {
                "errcode": 0,
                "errmsg": "send job submission success",
                "msg_id": msg_id,
                "msg_data_id": msg_id,
            }
        if path == "/cgi-bin/message/mass/preview":
            if not body.get("touser") or not body.get("text", {}).get("content"):
                return {"errcode": 40003, "errmsg": "invalid openid"}
            return {"errcode": 0, "errmsg": "preview success", "msg_id": 1}
        if path == "/cgi-bin/message/custom/send":
            if not body.get("touser") or body.get("msgtype") != "text":
                return {"errcode": 40003, "errmsg": "invalid openid"}
            return {"errcode": 0, "errmsg": "ok"}
        if path == "/cgi-bin/tags/create":
            name = body["tag"]["name"]
            if name in self.tags:
                return {"errcode": 45157, "errmsg": "invalid tag name"}
            self.tags[name] = 100 + len(self.tags)
            return {"tag": {"id": self.tags[name], "name": name}}
        if path == "/cgi-bin/tags/get":
            return {"tags": [{"id": i, "name": n, "count": 0} for n, i in self.tags.items()]}
        if path == "/cgi-bin/tags/members/batchtagging":
            self.tag_members.setdefault(body["tagid"], set()).update(body["openid_list"])
            return {"errcode": 0, "errmsg": "ok"}
        if path == "/cgi-bin/tags/members/batchuntagging":
            self.tag_members.setdefault(body["tagid"], set()).difference_update(body["openid_list"])
            return {"errcode": 0, "errmsg": "ok"}
        return {"errcode": 40066, "errmsg": "invalid url"}

    def _wecom(self, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        if query.get("key") not in self.wecom_keys:
            return {"errcode": 93000, "errmsg": "invalid webhook url"}
        kind = body.get("msgtype")
        if kind not in ("text", "markdown") or not body.get(kind, {}).get("content"):
            return {"errcode": 40008, "errmsg": "invalid message type"}
        return {"errcode": 0, "errmsg": "ok"}


def serve(standin: StandIn) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, body: dict[str, Any]) -> None:
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            status, answer = standin.handle(url.path, query, body)
            data = json.dumps(answer, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            # the caller may have been killed mid-request, as the kill test intends
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b"{}"
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"_raw": raw.decode("utf-8", "replace")}
            self._answer(body)

        def do_GET(self) -> None:  # noqa: N802
            self._answer({})

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"
