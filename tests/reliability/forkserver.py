"""A zygote for the kill-anywhere harness: `kupa` commands in forked children, without the interpreter start.

Starting `python -m pos_client` costs about half a second of imports on the build machine, so a random kill
in [0, typical duration] of a real process mostly lands before the first SQL statement. This process imports
the CLI once; for each request (a JSON line `{"argv": [...], "out": FILE, "err": FILE}` on stdin) it forks a
child that runs `pos_client.cli.main.main(argv)` with stdout/stderr going to the files, prints
`{"pid": N}`, waits for the child and prints `{"status": S}` (negative: killed by that signal). The harness
SIGKILLs the child by its pid. The child is an ordinary process running the real command; only the imports
were done before the fork.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    from pos_client.cli.main import main as kupa_main
    import sync.client  # noqa: F401  (the sync command imports it lazily; load it before forking)
    import sync.transport  # noqa: F401

    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            code = 70
            try:
                out = os.open(request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                err = os.open(request["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(out, 1)
                os.dup2(err, 2)
                try:
                    code = kupa_main(request["argv"])
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else 2
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
        print(json.dumps({"pid": pid}), flush=True)
        _, status = os.waitpid(pid, 0)
        result = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        print(json.dumps({"status": result}), flush=True)


if __name__ == "__main__":
    main()
