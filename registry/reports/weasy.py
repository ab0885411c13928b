"""WeasyPrint, and only WeasyPrint: HTML to PDF/A-3b with a fetcher limited to one folder.

Imported by the render children's forkserver, never by the web process.
"""

from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint import HTML, Attachment
from weasyprint.urls import URLFetcher


class LocalAssetFetcher(URLFetcher):
    """Fetches files from one folder and nothing else: no network, no other file."""

    def __init__(self, folder: Path):
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)
        self.folder = folder.resolve()

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        path = Path(unquote(parsed.path)).resolve()
        if parsed.scheme != "file" or path.parent != self.folder or not path.is_file():
            raise ValueError(f"not a report asset: {url}")
        return super().fetch(url, headers)


def render(request: dict) -> bytes:
    folder = Path(request["assets"])
    fetcher = LocalAssetFetcher(folder)
    attachments = [Attachment(string=item["text"], base_url=folder.as_uri() + "/",
                              url_fetcher=fetcher, name=item["name"],
                              description=item["description"], relationship="Data")
                   for item in request.get("attachments", [])]
    document = HTML(string=request["html"], base_url=folder.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(pdf_variant="pdf/a-3b", attachments=attachments,
                              uncompressed_pdf=False)
