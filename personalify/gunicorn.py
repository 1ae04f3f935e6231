"""Gunicorn's access log without OAuth secrets (gunicorn.conf.py sets it as ``logger_class``).

The OAuth callback's query string carries the authorization code and state: the access log
shows that path without it, and a Referer is passed through the token redaction.
"""

from gunicorn.glogging import Logger

from personalify.logging import redact

# Paths whose query string never reaches a log line.
SECRET_QUERY_PREFIXES = ("/oauth/",)


class AccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = environ.get("PATH_INFO") or ""
        if path.startswith(SECRET_QUERY_PREFIXES):
            method, protocol = environ["REQUEST_METHOD"], environ["SERVER_PROTOCOL"]
            atoms["r"] = f"{method} {path} {protocol}"
            atoms["q"] = ""
            atoms["{query_string}e"] = ""
            atoms["{raw_uri}e"] = path
        atoms["f"] = redact(atoms["f"])
        return atoms
