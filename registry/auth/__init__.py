"""Who is asking: the request's principal, from a session cookie or a bearer token."""
