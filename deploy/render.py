"""Write a ready nginx config for Greenprint from deploy/nginx.conf into a prefix folder.

    python deploy/render.py --prefix /srv/greenprint-proxy \\
        --backend 127.0.0.1:8501 --backend 127.0.0.1:8502 \\
        --server-name greenprint.example.org \\
        --cert /etc/ssl/greenprint/fullchain.pem --key /etc/ssl/greenprint/privkey.pem
    nginx -p /srv/greenprint-proxy -c nginx.conf -t     # check
    nginx -p /srv/greenprint-proxy -c nginx.conf        # start (-s reload, -s quit)

The prefix gets nginx.conf plus logs/ and tmp/; nginx keeps its pid, logs and temp files
there, so it runs as an ordinary user (ports below 1024 need root or
CAP_NET_BIND_SERVICE). Only the standard library: runs on a proxy host without the app.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf"


def render(prefix: Path, backends: list[str], cert: Path, key: Path, *,
           https_listen: str = "443", http_listen: str = "80", server_name: str = "_",
           max_body_mb: int = 200) -> Path:
    """Fill the template; return the path of the written nginx.conf."""
    if not backends:
        raise ValueError("at least one backend (host:port of a Streamlit server) is needed")
    values = {
        "@BACKENDS@": "\n".join(f"        server {b} max_fails=3 fail_timeout=10s;"
                                for b in backends),
        "@HTTPS_LISTEN@": https_listen,
        "@HTTP_LISTEN@": http_listen,
        "@SERVER_NAME@": server_name,
        "@TLS_CERT@": str(Path(cert).resolve()),
        "@TLS_KEY@": str(Path(key).resolve()),
        "@MAX_BODY_MB@": str(int(max_body_mb)),
    }
    text = TEMPLATE.read_text()
    for placeholder, value in values.items():
        if any(c in value for c in ";{}\n") and placeholder != "@BACKENDS@":
            raise ValueError(f"{placeholder}: {value!r} would change the config's structure")
        text = text.replace(placeholder, value)
    if "@" in "".join(line.split("#")[0] for line in text.splitlines()):
        raise ValueError("a placeholder was left unfilled")
    prefix = Path(prefix)
    for folder in ("logs", "tmp"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
    out = prefix / "nginx.conf"
    out.write_text(text)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", type=Path, required=True)
    parser.add_argument("--backend", action="append", required=True,
                        help="host:port of a Streamlit server (repeat for each)")
    parser.add_argument("--cert", type=Path, required=True, help="TLS certificate chain (PEM)")
    parser.add_argument("--key", type=Path, required=True, help="TLS private key (PEM)")
    parser.add_argument("--https-listen", default="443", help="nginx listen address, e.g. 443")
    parser.add_argument("--http-listen", default="80", help="plain-HTTP listen (redirects)")
    parser.add_argument("--server-name", default="_")
    parser.add_argument("--max-body-mb", type=int, default=200)
    a = parser.parse_args(argv)
    out = render(a.prefix, a.backend, a.cert, a.key, https_listen=a.https_listen,
                 http_listen=a.http_listen, server_name=a.server_name, max_body_mb=a.max_body_mb)
    print(f"wrote {out}; start with: nginx -p {a.prefix} -c nginx.conf")
    return 0


if __name__ == "__main__":
    sys.exit(main())
