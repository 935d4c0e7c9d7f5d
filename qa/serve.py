"""`qa serve`: the terminal UI in a browser, through Textualize's textual-serve.

Each browser tab gets its own `qa` process (textual-serve starts the command
below per connection and speaks to it over a websocket); the index and model
folders are passed on explicitly, and so is whether re-indexing is allowed.
"""

from __future__ import annotations

import shlex
import socket
import sys

from qa.config import Settings
from qa.errors import QAError

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
OPEN_WARNING = (
    "warning: serving on {host}: anyone who can reach this address can read every indexed report "
    "and ask questions of them (there is no login). Use the default 127.0.0.1 to keep it to this machine."
)


def app_command(settings: Settings, *, allow_reindex: bool) -> str:
    """The shell command textual-serve runs for each browser tab."""
    argv = [sys.executable, "-m", "qa", "--index-dir", str(settings.index_dir), "--cache-dir", str(settings.cache_dir)]
    if settings.model_dir is not None:
        argv += ["--model-dir", str(settings.model_dir)]
    if not allow_reindex:
        argv.append("--no-reindex")
    return shlex.join(argv)


def check_port(host: str, port: int) -> None:
    """A clear line now rather than a traceback from the web server later."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise QAError(f"cannot serve on {host}: {error.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise QAError(f"cannot serve on {host}:{port}: {error.strerror}") from None


def url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(settings: Settings, host: str, port: int, *, allow_reindex: bool, say=print) -> None:
    """Serve until Ctrl+C. The index must exist unless re-indexing is allowed (it is then built on first use)."""
    from textual_serve.server import Server

    if not allow_reindex:
        from qa.search.searcher import Searcher

        Searcher.open(settings, load_model=False)  # a missing index: said here, once
    check_port(host, port)
    if host not in LOCAL_HOSTS:
        say(OPEN_WARNING.format(host=host))
    say(f"qa in the browser: open {url(host, port)}  (Ctrl+C stops)")
    server = Server(app_command(settings, allow_reindex=allow_reindex), host=host, port=port, title="qa")
    server.serve()
