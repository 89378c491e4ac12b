"""A local fake of the Hugging Face hub's HTTP API, enough for huggingface_hub's ``create_repo`` + ``upload_folder``:
``GET /api/whoami-v2``, ``POST /api/repos/create``, ``POST /api/validate-yaml`` (a README's metadata: its YAML
front matter must parse), ``POST /api/models/OWNER/NAME/preupload/REV`` (every file
"regular": its bytes come inline in the commit), ``POST /api/models/OWNER/NAME/commit/REV`` (NDJSON: a header, then
one line per file, base64). Anything else is answered 404 and recorded in ``unexpected``. Tokens are checked
(``Authorization: Bearer TOKEN``); repositories and files are kept in memory."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class FakeHub:
    def __init__(self, token: str = "hf_test_token", user: str = "tester") -> None:
        self.token, self.user = token, user
        self.repos: dict[str, dict[str, Any]] = {}  # repo id -> {"private": bool, "files": {path: bytes}}
        self.commits: list[dict[str, Any]] = []
        self.unexpected: list[str] = []
        self.validated: list[str] = []  # README contents the hub checked
        self.requests: list[str] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _answer(self, status: int, data: Any) -> None:
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _authorised(self) -> bool:
                if self.headers.get("Authorization") == f"Bearer {hub.token}":
                    return True
                self._answer(401, {"error": "Invalid credentials in Authorization header"})
                return False

            def do_GET(self) -> None:
                hub.requests.append(f"GET {self.path}")
                if self.path.startswith("/api/whoami-v2"):
                    if self._authorised():
                        self._answer(200, {"type": "user", "name": hub.user, "auth": {"type": "access_token"}})
                    return
                hub.unexpected.append(f"GET {self.path}")
                self._answer(404, {"error": "not found"})

            def do_POST(self) -> None:
                hub.requests.append(f"POST {self.path}")
                body = self._body()
                if not self._authorised():
                    return
                path = self.path.split("?", 1)[0]
                parts = path.strip("/").split("/")
                if path == "/api/validate-yaml":
                    import yaml

                    content = json.loads(body)["content"]
                    front = content.split("---")[1] if content.startswith("---") else ""
                    try:
                        yaml.safe_load(front)
                    except yaml.YAMLError as err:
                        self._answer(400, {"errors": [{"message": str(err)}]})
                        return
                    hub.validated.append(content)
                    self._answer(200, {"errors": [], "warnings": []})
                    return
                if path == "/api/repos/create":
                    data = json.loads(body)
                    repo = f"{data.get('organization') or hub.user}/{data['name']}"
                    hub.repos.setdefault(repo, {"private": bool(data.get("private")), "files": {}})
                    self._answer(200, {"url": f"http://{self.headers['Host']}/{repo}", "name": repo, "id": repo})
                    return
                if len(parts) == 6 and parts[:2] == ["api", "models"] and parts[4] in ("preupload", "commit"):
                    repo = f"{parts[2]}/{parts[3]}"
                    if repo not in hub.repos:
                        self._answer(404, {"error": f"repository {repo} not found"})
                        return
                    if parts[4] == "preupload":
                        files = json.loads(body)["files"]
                        self._answer(200, {"files": [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False}
                                                     for f in files]})
                        return
                    self._commit(repo, body)
                    return
                hub.unexpected.append(f"POST {self.path}")
                self._answer(404, {"error": "not found"})

            def _commit(self, repo: str, body: bytes) -> None:
                lines = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
                header = next(line["value"] for line in lines if line["key"] == "header")
                files = {}
                for line in lines:
                    if line["key"] == "file":
                        value = line["value"]
                        assert value.get("encoding") == "base64", value
                        files[value["path"]] = base64.b64decode(value["content"])
                    elif line["key"] not in ("header",):
                        hub.unexpected.append(f"commit line {line['key']}")
                hub.repos[repo]["files"].update(files)
                oid = f"{len(hub.commits) + 1:040x}"
                hub.commits.append({"repo": repo, "summary": header.get("summary"), "files": sorted(files)})
                host = self.headers["Host"]
                self._answer(200, {"commitUrl": f"http://{host}/{repo}/commit/{oid}", "commitOid": oid,
                                   "pullRequestUrl": None})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
