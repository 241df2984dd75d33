#!/usr/bin/python3
"""A bearer-token server for kiln's registry tests (docker registry token auth spec).

Usage: token_server.py DIR. DIR must hold `users` ("user:password" lines; never passed in argv).
On start the server makes an RSA key and a self-signed certificate (DIR/token.crt, the
registry's rootcertbundle), binds 127.0.0.1 on a free port and writes it to DIR/port. It then
answers GET /token (basic auth; `service`, `scope` query parameters) and POST /token (OAuth2
password grant) with an RS256 JWT whose header carries the certificate as `x5c`, granting every
requested repository scope to a known user. Unknown users and missing credentials get 401.
Each request appends one line "METHOD user scopes status" to DIR/requests (no secrets).
"""

import base64
import datetime
import http.server
import json
import os
import secrets
import sys
import time
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

ISSUER = "kiln-test-token-issuer"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_cert(key):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER)])
    now = datetime.datetime.utcnow()
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))


class State:
    def __init__(self, directory):
        self.dir = directory
        self.users = {}
        with open(os.path.join(directory, "users")) as f:
            for line in f:
                user, _, password = line.rstrip("\n").partition(":")
                if user:
                    self.users[user] = password
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.cert = make_cert(self.key)
        pem = self.cert.public_bytes(serialization.Encoding.PEM)
        write_atomic(os.path.join(directory, "token.crt"), pem)

    def token(self, user, service, scopes):
        access = []
        for scope in scopes:
            parts = scope.split(":")
            if len(parts) >= 3 and parts[0] == "repository":
                name = ":".join(parts[1:-1])
                actions = [a for a in parts[-1].split(",") if a in ("pull", "push", "delete", "*")]
                access.append({"type": "repository", "name": name, "actions": actions})
        der = self.cert.public_bytes(serialization.Encoding.DER)
        header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
        now = int(time.time())
        claims = {"iss": ISSUER, "sub": user, "aud": service, "exp": now + 300,
                  "nbf": now - 10, "iat": now, "jti": secrets.token_hex(8), "access": access}
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(claims).encode()))
        sig = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + b64url(sig)


def write_atomic(path, data):
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.rename(path + ".tmp", path)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # No access log on stderr.
        pass

    def basic_user(self):
        auth = self.headers.get("Authorization", "")
        if not auth.lower().startswith("basic "):
            return None, None
        try:
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None, None
        return user, password

    def do_GET(self):
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        user, password = self.basic_user()
        self.answer("GET", user, password, query.get("service", [""])[0], query.get("scope", []))

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        scopes = " ".join(form.get("scope", [])).split()
        self.answer("POST", form.get("username", [None])[0], form.get("password", [None])[0],
                    form.get("service", [""])[0], scopes)

    def answer(self, method, user, password, service, scopes):
        state = self.server.state
        known = user is not None and state.users.get(user) == password
        status = 200 if known else 401
        with open(os.path.join(state.dir, "requests"), "a") as f:
            f.write("%s %s %s %d\n" % (method, user or "-", ",".join(scopes) or "-", status))
        if not known:
            body = json.dumps({"errors": [{"code": "UNAUTHORIZED",
                                           "message": "authentication required"}]}).encode()
        else:
            token = state.token(user, service, scopes)
            body = json.dumps({"token": token, "access_token": token, "expires_in": 300,
                               "issued_at": datetime.datetime.utcnow().isoformat() + "Z"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    directory = sys.argv[1]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.state = State(directory)
    write_atomic(os.path.join(directory, "port"), str(server.server_address[1]).encode())
    server.serve_forever()


if __name__ == "__main__":
    main()
