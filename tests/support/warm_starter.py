"""The warm starter of :mod:`tests.support.warm_start`: imports what the tests' children
import, then forks a child per start, made what a fresh ``python -m``/``-c`` would be.

Run as ``python -m tests.support.warm_starter SOCKET``; it ends once its parent has gone.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import io
import json
import os
import pkgutil
import signal
import socket
import sys
import threading
import types
from pathlib import Path
from typing import Any, NoReturn

from tests.support.warm_start import STREAMS_ENCODING


def _warm_up() -> None:
    """Import what the children import: the program's every module but the window's (Qt is
    not imported: a child that opens a window starts it afresh), and the tests' helpers."""
    import planit_desktop

    skipped = ("planit_desktop.ui", "planit_desktop.model.migrations.env")
    for found in pkgutil.walk_packages(planit_desktop.__path__, "planit_desktop."):
        name = found.name
        if not name.startswith(skipped) and ".versions." not in name and "__main__" not in name:
            importlib.import_module(name)
    for name in ("psycopg", "tests.support.import_processes", "tests.support.import_files"):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def _serve(socket_path: str) -> tuple[dict[str, Any], list[int]]:
    """Start children until this process's parent (the test worker) has gone; returns, in
    each child, what it is to run."""
    _warm_up()
    parent = os.getppid()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(64)
    listener.settimeout(1)
    Path(socket_path + ".ready").touch()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # watchers are reaped by the system
    while os.getppid() == parent:
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            continue
        connection.settimeout(None)
        request, streams = _receive(connection)
        sys.stdout.flush()
        sys.stderr.flush()
        if os.fork() == 0:  # the watcher
            os.close(listener.detach())
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            child = os.fork()
            if child == 0:
                os.close(connection.detach())
                return request, streams
            for stream in streams:  # the child's alone: its readers see their end with it
                os.close(stream)
            connection.sendall(f"{child}\n".encode())
            _, status = os.waitpid(child, 0)
            with contextlib.suppress(OSError):
                connection.sendall(f"{status}\n".encode())
            os._exit(0)
        connection.close()
        for stream in streams:
            os.close(stream)
    raise SystemExit(0)


def _receive(connection: socket.socket) -> tuple[dict[str, Any], list[int]]:
    head, streams, _, _ = socket.recv_fds(connection, 4, 3)
    while len(head) < 4:
        head += connection.recv(4 - len(head))
    size = int.from_bytes(head, "big")
    body = b""
    while len(body) < size:
        part = connection.recv(size - len(body))
        if not part:
            raise EOFError("the request was cut short")
        body += part
    return json.loads(body), list(streams)


def _become(request: dict[str, Any], streams: list[int]) -> None:
    """Make this forked process what a fresh ``python -m``/``-c`` would be at its start."""
    for target, stream in enumerate(streams):
        os.dup2(stream, target, inheritable=True)
    os.closerange(3, _highest_descriptor() + 1)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    signal.signal(
        signal.SIGINT,
        signal.SIG_IGN if request["ctrl_c_ignored"] else signal.default_int_handler,
    )
    for name in ("SIGTERM", "SIGHUP", "SIGQUIT", "SIGCHLD", "SIGUSR1", "SIGUSR2", "SIGALRM"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    _standard_streams(request["env"].get(STREAMS_ENCODING, ""))
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = __builtins__
    sys.modules["__main__"] = main
    sys.argv = [request["how"], *request["args"]]
    sys.path[0] = os.getcwd() if request["how"] == "-m" else ""


def _highest_descriptor() -> int:
    with contextlib.suppress(OSError):
        return max(int(name) for name in os.listdir("/proc/self/fd"))
    return os.sysconf("SC_OPEN_MAX")


def _standard_streams(encoding_variable: str) -> None:
    """New ``sys.stdin``, ``sys.stdout`` and ``sys.stderr`` on descriptors 0-2, made as the
    interpreter made this one's (buffered or not, as ``PYTHONUNBUFFERED`` says), with the
    encoding ``PYTHONIOENCODING`` names; standard output line-buffered at a terminal only."""
    named_encoding, _, named_errors = encoding_variable.partition(":")
    made = []
    olds = (sys.__stdin__, sys.__stdout__, sys.__stderr__)
    for fd, mode, before in zip((0, 1, 2), "rww", olds, strict=True):
        assert before is not None
        raw = io.FileIO(fd, mode + "b", closefd=False)
        unbuffered = isinstance(before.buffer, io.FileIO)
        buffered: Any = raw
        if mode == "r":
            buffered = io.BufferedReader(raw)
        elif not unbuffered:
            buffered = io.BufferedWriter(raw)
        errors = "backslashreplace" if fd == 2 else (named_errors or before.errors)
        text = io.TextIOWrapper(
            buffered,
            encoding=named_encoding or before.encoding,
            errors=errors,
            newline="\n",
            line_buffering=before.line_buffering if fd == 2 else mode == "w" and os.isatty(fd),
            write_through=before.write_through,
        )
        text.mode = mode
        made.append(text)
    sys.stdin, sys.stdout, sys.stderr = made
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = made


def _run(request: dict[str, Any]) -> NoReturn:
    """Run the child's program as ``python -m`` or ``python -c`` runs it, and end as the
    interpreter ends: non-daemon threads joined, ``atexit`` run, standard streams flushed
    (120 if they cannot be), an uncaught Ctrl-C ending it by SIGINT. It then leaves without
    tearing down the modules one by one, which would take a warm child's every start a
    quarter of a second more (a fresh interpreter pays that too)."""
    import runpy

    status, interrupted = 0, False
    try:
        if request["how"] == "-m":
            runpy._run_module_as_main(request["what"])
        else:
            exec(compile(request["what"], "<string>", "exec"), sys.modules["__main__"].__dict__)
    except SystemExit as exiting:
        status = _exit_status(exiting.code)
    except BaseException as uncaught:
        below_this = uncaught.__traceback__.tb_next if uncaught.__traceback__ else None
        sys.excepthook(type(uncaught), uncaught.with_traceback(below_this), below_this)
        status, interrupted = 1, isinstance(uncaught, KeyboardInterrupt)
    threading._shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            status = 120
    if interrupted:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    os._exit(status)


def _exit_status(code: object) -> int:
    """The status ``SystemExit(code)`` ends an interpreter with."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    started_request, started_streams = _serve(sys.argv[1])
    _become(started_request, started_streams)
    del started_streams
    _run(started_request)
