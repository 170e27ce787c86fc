"""The nginx config in deploy/: two app servers behind it on 127.0.0.1, with TLS (a
throwaway self-signed certificate), sticky sessions, websocket upgrade and security headers.

Stickiness is checked from nginx's own access log, which records the backend of every
request ($upstream_addr) and the route cookie it was hashed on: forty first visits (no
cookie) must reach both backends, and every request carrying one route cookie (the
browser's page, assets and websocket included) must reach one backend only.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import importlib.util
import re
import shutil
import socket
import ssl
import subprocess
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
import streamlit

from tools.devserver import ROOT, free_port, running_app

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
OPENSSL = shutil.which("openssl")
needs_nginx = pytest.mark.skipif(not (NGINX and OPENSSL),
                                 reason="needs nginx and openssl (apt-get install nginx-light)")
ROUTE = "0123456789abcdef0123456789abcdef"


def _render_module():
    spec = importlib.util.spec_from_file_location("deploy_render", ROOT / "deploy" / "render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_csp_allows_exactly_the_inline_scripts_of_this_streamlit():
    """After a Streamlit upgrade the inline script of index.html may change: this says so."""
    html = (Path(streamlit.__file__).parent / "static" / "index.html").read_text()
    template = (ROOT / "deploy" / "nginx.conf").read_text()
    for body in re.findall(r"<script>(.*?)</script>", html, re.S):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in template, \
            f"add 'sha256-{digest}' to script-src in deploy/nginx.conf (Streamlit {streamlit.__version__})"


def test_render_refuses_values_that_change_the_structure(tmp_path):
    render = _render_module().render
    with pytest.raises(ValueError):
        render(tmp_path, ["127.0.0.1:1"], tmp_path / "c", tmp_path / "k", server_name="x; include /etc")
    with pytest.raises(ValueError):
        render(tmp_path, [], tmp_path / "c", tmp_path / "k")


def _wait_port(port: int, proc: subprocess.Popen, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nginx exited: {proc.stderr.read()}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nginx did not listen on {port}")


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    """(https url, http port, [backend host:port], access log path)."""
    if not (NGINX and OPENSSL):
        pytest.skip("needs nginx and openssl (apt-get install nginx-light)")
    tmp = tmp_path_factory.mktemp("proxy")
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    with ExitStack() as stack:
        backends = []
        for _ in range(2):
            url, _proc, _t = stack.enter_context(running_app())
            backends.append(url.removeprefix("http://"))
        https_port, http_port = free_port(), free_port()
        prefix = tmp / "nginx"
        _render_module().render(prefix, backends, cert, key, https_listen=f"127.0.0.1:{https_port}",
                                http_listen=f"127.0.0.1:{http_port}", server_name="127.0.0.1")
        nginx = subprocess.Popen([NGINX, "-p", str(prefix), "-c", "nginx.conf", "-e", "logs/error.log",
                                  "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True)
        stack.callback(nginx.wait, 10)
        stack.callback(nginx.terminate)
        _wait_port(https_port, nginx)
        yield f"https://127.0.0.1:{https_port}", http_port, backends, prefix / "logs" / "access.log"


def _get(url: str, path: str = "/", cookie: str | None = None) -> http.client.HTTPResponse:
    host, port = url.removeprefix("https://").split(":")
    conn = http.client.HTTPSConnection(host, int(port), timeout=20,
                                       context=ssl._create_unverified_context())  # self-signed
    conn.request("GET", path, headers={"Cookie": f"gp_route={cookie}"} if cookie else {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def _routes(log: Path) -> dict[str, set[str]]:
    """route cookie -> backends that served it, from the access log."""
    out: dict[str, set[str]] = {}
    for line in log.read_text().splitlines():
        m = re.search(r"upstream=(\S+) route=(\S+)", line)
        if m and m.group(1) != "-":
            out.setdefault(m.group(2), set()).add(m.group(1))
    return out


@needs_nginx
def test_security_headers_and_route_cookie(proxy):
    url, http_port, _backends, _log = proxy
    r = _get(url)
    assert r.status == 200
    csp = r.getheader("Content-Security-Policy")
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert "'unsafe-eval'" not in csp  # JavaScript eval() stays forbidden
    assert r.getheader("X-Frame-Options") == "DENY"
    assert r.getheader("Strict-Transport-Security").startswith("max-age=31536000")
    assert r.getheader("X-Content-Type-Options") == "nosniff"
    assert r.getheader("Referrer-Policy") == "no-referrer"
    assert "nginx/" not in (r.getheader("Server") or "")  # no version
    cookie = [c for c in r.headers.get_all("Set-Cookie") if c.startswith("gp_route=")]
    assert len(cookie) == 1 and re.match(r"gp_route=[0-9a-f]{32}; ", cookie[0])
    assert "Secure" in cookie[0] and "HttpOnly" in cookie[0]
    # a routed request keeps its route (no new cookie) and gets the same headers
    routed = _get(url, "/_stcore/health", cookie=ROUTE)
    assert not [c for c in routed.headers.get_all("Set-Cookie") or [] if c.startswith("gp_route=")]
    assert routed.getheader("Content-Security-Policy") == csp

    conn = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
    conn.request("GET", "/scenario_lab")
    plain = conn.getresponse()
    assert plain.status == 301 and plain.getheader("Location").startswith("https://")
    conn.close()


@needs_nginx
def test_new_visitors_spread_and_a_route_sticks(proxy):
    url, _http_port, backends, log = proxy
    for _ in range(40):
        assert _get(url, "/_stcore/health").status == 200
    for _ in range(10):
        assert _get(url, "/_stcore/health", cookie=ROUTE).status == 200
    routes = _routes(log)
    first_visits = {b for route, served in routes.items() if route != ROUTE for b in served}
    assert first_visits == set(backends), "40 first visits should reach both backends"
    assert len(routes[ROUTE]) == 1, "one route cookie must always reach the same backend"


@needs_nginx
def test_websocket_session_through_the_proxy(proxy):
    """Streamlit's protocol through nginx: the upgrade works and the app runs a page."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    url, _http_port, _backends, log = proxy
    route = "fedcba9876543210fedcba9876543210"
    msg = BackMsg()
    msg.rerun_script.page_name = "methods"
    with connect(url.replace("https", "wss") + "/_stcore/stream", subprotocols=["streamlit"],
                 origin=url, additional_headers={"Cookie": f"gp_route={route}"},
                 ssl=ssl._create_unverified_context(), max_size=None, open_timeout=20) as ws:
        ws.send(msg.SerializeToString())
        kinds = set()
        while "script_finished" not in kinds:
            fm = ForwardMsg()
            fm.ParseFromString(ws.recv(timeout=60))
            kinds.add(fm.WhichOneof("type"))
            if fm.WhichOneof("type") == "delta" and fm.delta.WhichOneof("type") == "new_element":
                assert fm.delta.new_element.WhichOneof("type") != "exception"
    assert {"new_session", "delta", "script_finished"} <= kinds
    _get(url, "/_stcore/health", cookie=route)
    deadline = time.monotonic() + 5  # nginx logs the websocket when it closes
    while "/_stcore/stream" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(_routes(log)[route]) == 1


@needs_nginx
@pytest.mark.browser
def test_overview_map_renders_through_the_proxy_without_csp_violations(new_page, proxy):
    from playwright.sync_api import expect

    url, _http_port, _backends, log = proxy
    page = new_page(height=1000, ignore_https_errors=True)  # the certificate is self-signed
    # every CSP violation, as the page sees it (console messages can be sampled)
    page.add_init_script("""window.__csp = [];
        document.addEventListener('securitypolicyviolation', e => window.__csp.push(
            e.violatedDirective + ' ' + e.blockedURI));""")
    console = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    page.goto(url)
    expect(page.get_by_test_id("gp-map")).to_have_attribute("data-painted", re.compile(r"\d+"),
                                                          timeout=45000)
    expect(page.get_by_test_id("gp-legend")).to_be_visible(timeout=30000)
    page.wait_for_timeout(1500)  # anything the page loads after the map
    violations = page.evaluate("window.__csp")
    route = next(c["value"] for c in page.context.cookies() if c["name"] == "gp_route")
    page.context.close()  # closes the websocket: nginx logs it then
    assert violations == [], violations
    assert not [m for m in console if "Content Security Policy" in m or "Refused to" in m], console
    assert len(_routes(log)[route]) == 1, "the page, its assets and its websocket: one backend"
