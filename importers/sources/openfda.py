"""What the openFDA sources share: the base URL and the API key, sent as Basic auth."""


class OpenFdaSource:
    def __init__(self, settings):
        self.base = settings.openfda_url.rstrip("/")

    def headers(self, settings) -> dict:
        return {}

    def auth(self, settings):
        """openFDA takes the API key as the Basic-auth user name (so no URL carries it)."""
        return (settings.openfda_api_key, "") if settings.openfda_api_key else None
