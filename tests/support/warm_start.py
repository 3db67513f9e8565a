"""The program started as a real process, without paying for its imports each time.

A child ``python -m planit_desktop …`` spends most of its life importing SQLAlchemy, the
readers and the program (about 0.7 s) before it does the half-second of work a test is
about. So the tests start their children from a *warm starter*: one interpreter per test
worker that imported all of that once, then forks a child per start. The child is a real
process of its own (its own pid, exit status, signals, standard streams, environment,
working folder and resource limits), set up as a fresh interpreter would be, and running
``python -m MODULE ARGS`` or ``python -c CODE ARGS`` the same way (``runpy``; the same end
of the interpreter: threads joined, ``atexit`` run, output flushed).

:class:`Popen` and :func:`run` are :mod:`subprocess`'s own, with one difference: a start
the warm starter cannot make as a fresh interpreter would (another executable, a changed
``PYTHON*`` or locale variable, ``preexec_fn``, a new session, fds passed on, …) is made
the ordinary way. ``PLANIT_TEST_COLD_START=1`` makes every start the ordinary way, to show
that a test means the same either way. The tests of start-up itself (what ``--help``
imports) and the installed wheel use :mod:`subprocess` directly.

How a start goes: the client sends the arguments, environment and folder over a Unix
socket, with the child's three standard streams as file descriptors (``SCM_RIGHTS``). The
starter forks a *watcher*, which forks the child, sends back its pid, waits for it and sends
back its wait status; :class:`Popen` waits on that instead of ``waitpid``.

The starter itself is :mod:`tests.support.warm_starter`, run by :func:`_starter`.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

#: The folder holding the ``tests`` package, where the starter runs.
CHECKOUT = Path(__file__).resolve().parents[2]
#: Set (to anything but 0) to start every child the ordinary way.
COLD_START = "PLANIT_TEST_COLD_START"
#: Seconds the starter may take to import everything and listen.
READY_WITHIN = 120

#: Variables a fresh interpreter reads as it starts, that a forked child could not honour.
_START_VARIABLES = ("PYTHON", "LC_", "LANG")
#: ... apart from the encoding of the standard streams, which the child sets up itself.
STREAMS_ENCODING = "PYTHONIOENCODING"


class Popen(subprocess.Popen):
    """:class:`subprocess.Popen`, started by the warm starter when it can be."""

    _warm: socket.socket | None = None
    _received = b""

    def _execute_child(
        self,
        args: Any,
        executable: Any,
        preexec_fn: Any,
        close_fds: bool,
        pass_fds: Any,
        cwd: Any,
        env: Any,
        startupinfo: Any,
        creationflags: Any,
        shell: bool,
        p2cread: int,
        p2cwrite: int,
        c2pread: int,
        c2pwrite: int,
        errread: int,
        errwrite: int,
        restore_signals: bool,
        gid: Any,
        gids: Any,
        uid: Any,
        umask: int,
        start_new_session: bool,
        process_group: Any,
    ) -> None:
        ordinary = (
            shell
            or executable is not None
            or preexec_fn is not None
            or not close_fds
            or pass_fds
            or not restore_signals
            or start_new_session
            or process_group not in (None, -1)
            or (gid, gids, uid) != (None, None, None)
            or umask != -1
        )
        environment = dict(os.environ if env is None else env)
        request = None if ordinary else _request(args, cwd, environment)
        if request is None:
            super()._execute_child(
                args, executable, preexec_fn, close_fds, pass_fds, cwd, env, startupinfo,
                creationflags, shell, p2cread, p2cwrite, c2pread, c2pwrite, errread,
                errwrite, restore_signals, gid, gids, uid, umask, start_new_session,
                process_group,
            )  # fmt: skip
            return
        streams = [p2cread, c2pwrite, errwrite]
        streams = [mine if fd == -1 else fd for fd, mine in zip(streams, (0, 1, 2), strict=True)]
        try:
            self._warm = _starter().start(request, streams)
            self.pid = int(self._line())
            self._child_created = True
        finally:
            self._close_pipe_fds(p2cread, p2cwrite, c2pread, c2pwrite, errread, errwrite)

    def _line(self, *, block: bool = True) -> str | None:
        """The watcher's next line (the pid, then the wait status), or None without one."""
        assert self._warm is not None
        while b"\n" not in self._received:
            if not block and not select.select([self._warm], [], [], 0)[0]:
                return None
            part = self._warm.recv(64)
            if not part:
                raise RuntimeError(f"the warm starter lost child {self.pid}: {_starter().log()}")
            self._received += part
        line, _, self._received = self._received.partition(b"\n")
        return line.decode()

    def _try_wait(self, wait_flags: int) -> tuple[int, int]:
        if self._warm is None:
            return super()._try_wait(wait_flags)
        status = self._line(block=not wait_flags & os.WNOHANG)
        if status is None:
            return 0, 0
        self._warm.close()
        return self.pid, int(status)

    def _internal_poll(self, _deadstate: int | None = None, **_: Any) -> int | None:
        if self._warm is None:
            return super()._internal_poll(_deadstate)
        if self.returncode is None and self._waitpid_lock.acquire(False):
            try:
                if self.returncode is None:
                    pid, status = self._try_wait(os.WNOHANG)
                    if pid == self.pid:
                        self._handle_exitstatus(status)
            except OSError:
                if _deadstate is not None:
                    self.returncode = _deadstate
            finally:
                self._waitpid_lock.release()
        return self.returncode


def run(*popenargs: Any, input: Any = None, capture_output: bool = False,
        timeout: float | None = None, check: bool = False, **kwargs: Any
        ) -> subprocess.CompletedProcess[Any]:  # fmt: skip
    """:func:`subprocess.run`, its child started warm when it can be."""
    if input is not None:
        kwargs["stdin"] = subprocess.PIPE
    if capture_output:
        kwargs["stdout"] = kwargs["stderr"] = subprocess.PIPE
    with Popen(*popenargs, **kwargs) as process:
        try:
            stdout, stderr = process.communicate(input, timeout=timeout)
        except BaseException:
            process.kill()
            process.wait()
            raise
        status = process.poll()
        assert status is not None
        if check and status:
            raise subprocess.CalledProcessError(status, process.args, stdout, stderr)
    return subprocess.CompletedProcess(process.args, status, stdout, stderr)


def _request(args: Any, cwd: Any, env: dict[str, str]) -> dict[str, Any] | None:
    """What the starter needs to start ``args`` as a fresh interpreter would, or None when
    it cannot: not this Python, not ``-m``/``-c``, or a variable read at start-up changed."""
    if os.environ.get(COLD_START, "0") != "0" or isinstance(args, (str, bytes)):
        return None
    argv = [os.fsdecode(part) for part in args]
    if len(argv) < 3 or argv[0] != sys.executable or argv[1] not in ("-m", "-c"):
        return None
    folder = os.fsdecode(cwd) if cwd is not None else os.getcwd()
    if not os.path.isdir(folder):
        return None  # subprocess says why
    if _start_variables(env) != _start_variables(_starter().environment):
        return None
    return {
        "how": argv[1],
        "what": argv[2],
        "args": argv[3:],
        "cwd": folder,
        "env": env,
        "ctrl_c_ignored": signal.getsignal(signal.SIGINT) is signal.SIG_IGN,
    }


def _start_variables(env: dict[str, str]) -> dict[str, str]:
    return {
        name: value
        for name, value in env.items()
        if name.startswith(_START_VARIABLES) and name != STREAMS_ENCODING
    }


class _Starter:
    """The warm starter of this process, and how to reach it."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="planit-warm-"))
        self.socket_path = str(self.folder / "socket")
        self.environment = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith("PLANIT_") and name != STREAMS_ENCODING
        }
        with open(self.folder / "log", "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.support.warm_starter", self.socket_path],
                cwd=CHECKOUT,
                env=self.environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + READY_WITHIN
        while not os.path.exists(self.socket_path + ".ready"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the warm starter did not start: {self.log()}")
            time.sleep(0.01)

    def start(self, request: dict[str, Any], streams: list[int]) -> socket.socket:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            connection.connect(self.socket_path)
            message = json.dumps(request).encode()
            socket.send_fds(connection, [len(message).to_bytes(4, "big") + message], streams)
        except OSError as failed:
            connection.close()
            raise RuntimeError(f"the warm starter is unreachable: {self.log()}") from failed
        return connection

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return (self.folder / "log").read_text(errors="replace")[-4000:]
        return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


_running: list[_Starter] = []
_starting = threading.Lock()


def _starter() -> _Starter:
    """The starter of this process (a test worker), started at the first warm start, and
    again if it has died."""
    with _starting:
        if _running and _running[-1].process.poll() is not None:
            _running.pop().stop()
        if not _running:
            _running.append(_Starter())
            atexit.register(_running[-1].stop)
        return _running[-1]
