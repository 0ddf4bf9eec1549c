#!/usr/bin/env python3
"""A tiny stand-in for the API server, on 127.0.0.1 only, plain HTTP, for the
retry tests of test/e2e/cluster-retry.sh (a real server cannot be made to
answer 429, 503 or drop a connection on demand).

It serves legacy discovery only (no aggregated discovery: the client must fall
back), ConfigMaps and Namespaces in group v1. The object's name picks the
behaviour, per (method, path with query), counted from the first request:
  ok          200
  r429        429 with Retry-After: 1, then 200
  r503        503 twice (Retry-After: 0), then 200
  drop        the connection is closed without an answer, twice (libcurl itself
              repeats a request once when a reused connection dies), then 200
  always500   500 with a Status body, always
  slow        answers after 3 s
Every request must carry "Authorization: Bearer mock-token" (else 401).
It also acts as an HTTP proxy (absolute request URIs) that answers itself.
Prints the port on stdout, then serves until killed. GET /_counts returns the
request counts as JSON ({"METHOD PATH?QUERY": n}).
"""
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counts = {}
lock = threading.Lock()

RESOURCES = {
    "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "v1",
    "resources": [
        {"name": "configmaps", "singularName": "configmap", "namespaced": True, "kind": "ConfigMap",
         "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"], "shortNames": ["cm"]},
        {"name": "configmaps/status", "singularName": "", "namespaced": True, "kind": "ConfigMap", "verbs": ["get"]},
        {"name": "namespaces", "singularName": "namespace", "namespaced": False, "kind": "Namespace",
         "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"], "shortNames": ["ns"]},
    ],
}


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": reason, "message": message,
            "code": code}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, code, obj, headers=()):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path.startswith("http://"):  # a request through a proxy: the mock is that proxy too
            self.path = "/" + self.path.split("/", 3)[3]
        path = self.path.split("?")[0]
        key = f"{self.command} {self.path}"
        with lock:
            n = counts.get(key, 0) + 1
            counts[key] = n
        if path == "/_counts":
            return self.send_json(200, counts)
        if self.headers.get("Authorization") != "Bearer mock-token":
            return self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
        if path == "/api":
            return self.send_json(200, {"kind": "APIVersions", "versions": ["v1"]})
        if path == "/apis":
            return self.send_json(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": []})
        if path == "/api/v1":
            return self.send_json(200, RESOURCES)
        name = path.rsplit("/", 1)[-1]
        if path.endswith("/configmaps"):  # POST: the name is in the query for this mock
            name = self.path.split("name=")[-1] if "name=" in self.path else "ok"
        obj = {"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": name, "namespace": "default", "resourceVersion": str(n)}}
        if name.startswith("r429") and n == 1:
            return self.send_json(429, status(429, "TooManyRequests", "too many requests, please try again later"),
                                  [("Retry-After", "1")])
        if name.startswith("r503") and n <= 2:
            return self.send_json(503, status(503, "ServiceUnavailable", "the server is currently unable to handle the request"),
                                  [("Retry-After", "0")])
        if name.startswith("drop") and n <= 2:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if name.startswith("always500"):
            return self.send_json(500, status(500, "InternalError", "Internal error occurred: etcd is sad"),
                                  [("Retry-After", "0")])
        if name.startswith("slow"):
            time.sleep(3)
        return self.send_json(200, obj)

    do_GET = do_PATCH = do_POST = do_DELETE = do_PUT = handle_any


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
