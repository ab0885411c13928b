"""Rendering a report: HTML from the template, then PDF in a child process with limits."""

import multiprocessing
from pathlib import Path

from flask import render_template

from registry import PROJECT_ROOT

ASSETS = PROJECT_ROOT / "templates" / "pdf"


class RenderError(Exception):
    """The renderer failed, ran out of time or memory; nothing was issued."""


def report_html(report: dict, code: str, issued_at: str) -> str:
    """The report as HTML, from templates/pdf/ (user text is escaped by Jinja)."""
    return render_template("pdf/audit_report.html", r=report, code=code, issued_at=issued_at)


_context = None


def _processes():
    """A forkserver that has imported WeasyPrint once; each render is a fork of it."""
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(["registry.reports.weasy", "registry.reports.worker"])
    return _context


def render_pdf(html: str, attachments: list[dict], *, timeout: float, memory_bytes: int,
               assets: Path = ASSETS) -> bytes:
    """PDF/A-3b bytes from HTML, rendered by WeasyPrint in a child process.

    The child can fetch only the files in `assets`, is killed after `timeout` seconds and
    cannot map more than `memory_bytes`; its memory goes back to the system when it exits.
    """
    from registry.reports import worker

    context = _processes()
    receiving, sending = context.Pipe(duplex=False)
    request = {"html": html, "assets": str(assets), "attachments": attachments}
    process = context.Process(target=worker.child, args=(request, memory_bytes, sending),
                              daemon=True)
    process.start()
    sending.close()
    try:
        if not receiving.poll(timeout):
            raise RenderError(f"rendering took longer than {timeout:g} s")
        kind, payload = receiving.recv()
    except EOFError as exc:
        raise RenderError("the renderer stopped without an answer (out of memory?)") from exc
    finally:
        receiving.close()
        if process.is_alive():
            process.kill()
        process.join()
    if kind != "pdf":
        raise RenderError(f"the renderer failed: {payload}")
    return payload
