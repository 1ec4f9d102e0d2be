"""moto_server, tied to the process that started it.

local/emulator/moto.ts starts this instead of moto_server directly: it serves exactly
as `moto_server` does, and exits as soon as its standard input closes, which
happens when the local runtime stops *or dies* (even by SIGKILL), so no emulator
is ever left behind holding its port.
"""
import os
import sys
import threading

from moto.server import main


def exit_when_parent_goes() -> None:
    # Raw reads: a thread blocked in sys.stdin's buffered reader would hold its
    # lock and make the interpreter abort if moto exits on its own (port in use).
    while os.read(0, 4096):
        pass  # end of file: the parent closed the pipe or is gone
    os._exit(0)


threading.Thread(target=exit_when_parent_goes, daemon=True).start()
main(sys.argv[1:])
