#!/usr/bin/env python3
"""A stand-in for `litellm --config FILE --host H --port P`, to test the harness quickly.

Answers /health/<stage> with 200 and /env/NAME with that environment variable; exits 3
at start (like a proxy refusing a weak master key) when the config contains `refuse`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/env/"):
            payload: Any = os.environ.get(self.path.removeprefix("/env/"))
        elif self.path.startswith("/health/"):
            payload = {"status": "healthy"}
        else:
            payload = {"config": self.server.config_text}  # type: ignore[attr-defined]
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    text = Path(args.config).read_text()
    print(f"stand-in proxy starting with {args.config}", flush=True)
    if "refuse" in text:
        time.sleep(0.2)
        print("refused to start: the config says refuse", flush=True)
        return 3
    server = HTTPServer((args.host, args.port), Handler)
    server.config_text = text  # type: ignore[attr-defined]
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
