"""Progress while workers start and run: redrawn in place on a terminal, a few plain lines otherwise."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, backend_names, total_per_backend: dict, stream=None, enabled=True):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.enabled = enabled
        self.names = list(backend_names)
        self.total = total_per_backend
        self.done = {b: 0 for b in self.names}
        self.state = {b: "starting" for b in self.names}
        self.current = {b: "" for b in self.names}
        self.t0 = time.monotonic()
        self.drawn = 0

    def __call__(self, backend, kind, payload) -> None:
        if kind == "tick":
            if self.enabled and self.tty:
                self.draw()
            return
        if kind == "ready":
            self.state[backend] = f"ready after {payload.get('import_s', 0):.1f} s"
        elif kind in ("failed", "unavailable") and self.state[backend].startswith("ready"):
            # one of several workers (--workers): the others serve its blocks, the backend has not failed
            self.state[backend] = f"{self.state[backend].split(';')[0]}; a worker {kind}: {payload}"
        elif kind in ("failed", "unavailable"):
            self.state[backend] = f"{kind}: {payload}"
        elif kind == "restart":
            self.state[backend] = f"restarting (#{payload})"
        elif kind == "started":
            self.current[backend] = payload["spec"]
        elif kind == "done":
            self.done[backend] += 1
            finished, self.current[backend] = self.current[backend], ""
        if not self.enabled:
            return
        if self.tty:
            self.draw()
        elif kind in ("ready", "failed", "unavailable", "restart"):
            self.line(f"{backend}: {self.state[backend]}")
        elif kind == "done":  # a log (CI) shows what finished, and where a hang is
            n = self.total.get(backend, 0)
            self.line(f"{backend}: {finished} {payload.status} ({self.done[backend]}{f'/{n}' if n else ''})")

    def line(self, text: str) -> None:
        try:
            print(f"[{time.monotonic() - self.t0:5.1f} s] {text}", file=self.stream, flush=True)
        except OSError:  # the terminal is gone (SIGHUP)
            pass

    def draw(self) -> None:
        lines = []
        elapsed = time.monotonic() - self.t0
        for b in self.names:
            n = self.total.get(b, 0)
            if self.state[b] == "starting":
                state = f"starting ({elapsed:.1f} s)"
            else:
                state = self.state[b]
            bar = f"{self.done[b]}/{n}" if n else ""
            now = f" {self.current[b]}" if self.current[b] else ""
            lines.append(f"  {b:<7} {state:<28} {bar}{now}"[:100])
        up = f"\033[{self.drawn}F" if self.drawn else ""
        try:
            self.stream.write(up + "".join(f"\033[2K{line}\n" for line in lines))
            self.stream.flush()
        except OSError:
            return
        self.drawn = len(lines)

    def clear(self) -> None:
        if self.enabled and self.tty and self.drawn:
            try:
                self.stream.write(f"\033[{self.drawn}F" + "\033[2K\n" * self.drawn + f"\033[{self.drawn}F")
                self.stream.flush()
            except OSError:
                pass
            self.drawn = 0
