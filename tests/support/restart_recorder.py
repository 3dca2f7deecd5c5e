"""A restart command for tests: records that it ran, then exits, fails or hangs as told.

    python restart_recorder.py LOG [--exit N] [--sleep SECONDS] [--say TEXT] [--on 1,3]

`--exit` and `--sleep` apply to every run, or only to the runs listed by `--on` (1-based:
`--on 1` fails the first restart and lets the rollback's restart succeed).

Appends one JSON line per run to LOG (argv, time, and the sha256 of the file named by
$RECORD_FILE if set), so a test can see how often and on which config it was called.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    log = Path(argv[0])
    options = dict(zip(argv[1::2], argv[2::2], strict=False))
    watched = os.environ.get("RECORD_FILE")
    digest = None
    if watched and Path(watched).exists():
        digest = hashlib.sha256(Path(watched).read_bytes()).hexdigest()
    run = 1 + (len(log.read_text().splitlines()) if log.exists() else 0)
    with log.open("a") as out:
        record = {"argv": argv, "at": time.time(), "sha256": digest, "pid": os.getpid()}
        out.write(json.dumps(record) + "\n")
    if "--say" in options:
        print(options["--say"], flush=True)
    if "--on" in options and str(run) not in options["--on"].split(","):
        return 0
    if "--sleep" in options:
        time.sleep(float(options["--sleep"]))
    return int(options.get("--exit", 0))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
