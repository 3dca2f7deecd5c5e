"""Side effects on the host: files, subprocesses, HTTP to upstream providers and the proxy."""
