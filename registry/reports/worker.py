"""One render child: limits its memory, renders with WeasyPrint, sends the PDF back.

Children are forked from a server process that has imported WeasyPrint (registry.reports.weasy)
but not the application: each render starts at once, holds no database connection, and gives
all its memory back when it exits. This module stays light so the web process can name it.
"""

import resource


def child(request: dict, memory_bytes: int, connection) -> None:
    """Entry point of one render: limit memory, render, send the PDF (or the error) back."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        from registry.reports import weasy

        connection.send(("pdf", weasy.render(request)))
    except BaseException as exc:  # noqa: BLE001 - the parent reports every failure
        connection.send(("error", f"{type(exc).__name__}: {exc}"[:500]))
    finally:
        connection.close()
