"""Whether the dashboard can listen on a host and port, asked as Streamlit will bind; standard library only, so that
`make run` asks before anything is installed.

python -m dashboard.listen HOST PORT   (prints the problem in make's terms and exits 1; silent and 0 when free)
"""

import errno
import socket
import sys

OPTIONS = ("--host", "--port")
MAKE = ("make run HOST=…", "make run PORT=…")


def problem(host: str, port: int, options: tuple[str, str] = OPTIONS) -> str | None:
    """Why the dashboard cannot listen on `host`:`port`, in one line naming the option (`options`: the host's and
    the port's) that changes it; None when it can."""
    on_host, on_port = options
    if not 0 < port < 65536:
        return f"port {port} is not a port: choose one from 1024 to 65535 with {on_port}"
    # As Streamlit binds (streamlit/web/server/starlette/starlette_server.py): the family told by the address, and
    # SO_REUSEADDR, so that a port left in TIME_WAIT by a stopped server counts as free.
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except socket.gaierror:
            return f"host {host!r} is not known here: give {on_host} an address of this machine (127.0.0.1, 0.0.0.0)"
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} is in use: choose another with {on_port}"
            if exc.errno == errno.EACCES:
                return f"port {port} needs root: choose one from 1024 with {on_port}"
            if exc.errno == errno.EADDRNOTAVAIL:
                return f"{host} is not an address of this machine: give {on_host} one of its own (127.0.0.1, 0.0.0.0)"
            return f"cannot listen on {host}:{port} ({exc.strerror}): choose another {on_host} or {on_port}"
    return None


if __name__ == "__main__":
    host, port = sys.argv[1], sys.argv[2]
    found = problem(host, int(port), MAKE) if port.isdigit() else f"port {port!r} is not a number: {MAKE[1]}"
    if found:
        print(found)
        sys.exit(1)
