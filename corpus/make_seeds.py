#!/usr/bin/env python3
"""Writes the fuzzers' seeds, dictionaries and options: corpus/<fuzzer>/, <fuzzer>.dict, .options.

Seeds come from two generators, never from hand-copied files:
  scn-*   every `send` payload of the scenario suites, exported by `parley export-seeds`
          (http payloads feed the HTTP fuzzers, chat payloads the chat fuzzer), the chunked
          bodies found in the http payloads, and the scenario files themselves for the loader;
  gen-*   requests, bodies, lines and YAML built below from the protocol rules
          (RFC 9112 grammar, docs/http-parsing.md, targets/chat/PROTOCOL.md, docs/scenarios.md).
Seeds longer than the fuzzer's max_len (<fuzzer>.options) are left out. Re-running replaces every
scn-/gen- file, so the corpus follows the suites as they grow. Files with other names (inputs
merged in by `ci/fuzz.sh --merge`, named by their SHA-1) are kept.

usage: corpus/make_seeds.py --parley BUILD/bin/parley [--check]
"""

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GENERATED = ("scn-", "gen-")

HTTP_FUZZERS = ("fuzz_http_request", "fuzz_http_differential", "fuzz_http_server")

# ---------------------------------------------------------------------------------------------
# HTTP requests, from the RFC 9112 grammar and every reading in docs/http-parsing.md.

CRLF = b"\r\n"


def request(line, fields=(), body=b"", end=CRLF):
    head = line + end + b"".join(f + end for f in fields) + end
    return head + body


def chunked(*chunks, ext=b"", trailers=()):
    out = b""
    for c in chunks:
        out += b"%x" % len(c) + ext + CRLF + c + CRLF
    return out + b"0" + CRLF + b"".join(t + CRLF for t in trailers) + CRLF


def http_requests():
    host = b"Host: example.com"
    seeds = {}

    def add(name, data):
        seeds[name] = data

    # Request lines: methods, the four target forms, versions.
    for method in (b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"PATCH", b"TRACE", b"X-CUSTOM"):
        add("method-" + method.decode().lower(), request(method + b" / HTTP/1.1", [host]))
    targets = {
        "origin-query": b"GET /a/b/../c?x=1&y=%20z HTTP/1.1",
        "origin-double-slash": b"GET //a HTTP/1.1",
        "origin-all-chars": b"GET /-._~!$&'()*+,;=:@/?%41%7e HTTP/1.1",
        "absolute": b"GET http://example.com:8080/p?q=1 HTTP/1.1",
        "absolute-https-upper": b"GET HTTPS://EXAMPLE.com/ HTTP/1.1",
        "absolute-ipv6": b"GET http://[::1]:80/ HTTP/1.1",
        "absolute-ipv4": b"GET http://127.0.0.1/x HTTP/1.1",
        "authority": b"CONNECT example.com:443 HTTP/1.1",
        "asterisk": b"OPTIONS * HTTP/1.1",
        "echo": b"GET /echo?x=1 HTTP/1.1",
        "bad-fragment": b"GET /a#b HTTP/1.1",
        "bad-escape": b"GET /%zz HTTP/1.1",
        "bad-userinfo": b"GET http://user@h/ HTTP/1.1",
        "bad-scheme": b"GET ftp://h/ HTTP/1.1",
        "bad-asterisk": b"GET * HTTP/1.1",
        "bad-connect-origin": b"CONNECT / HTTP/1.1",
        "bad-authority-no-port": b"CONNECT h HTTP/1.1",
        "bad-brackets": b"GET /[x] HTTP/1.1",
        "bad-non-ascii": b"GET /\xc3\xa9 HTTP/1.1",
    }
    for name, line in targets.items():
        add("target-" + name, request(line, [host]))
    for version in (b"HTTP/1.0", b"HTTP/1.2", b"HTTP/1.9", b"HTTP/2.0", b"HTTP/0.9", b"http/1.1",
                    b"HTTP/1", b"HTTP/1.10", b"HTTP/11"):
        add("version-" + re.sub(r"\W", "_", version.decode()), request(b"GET / " + version, [host]))
    add("http10-no-host", request(b"GET / HTTP/1.0"))
    add("http10-keep-alive", request(b"GET / HTTP/1.0", [b"Connection: keep-alive"]))
    for name, line in {
        "two-spaces": b"GET  / HTTP/1.1",
        "trailing-space": b"GET / HTTP/1.1 ",
        "leading-space": b" GET / HTTP/1.1",
        "tab": b"GET\t/ HTTP/1.1",
        "missing-version": b"GET /",
        "bad-method-char": b"G(T / HTTP/1.1",
    }.items():
        add("line-" + name, request(line, [host]))
    add("leading-empty-line", CRLF + request(b"GET / HTTP/1.1", [host]))
    add("two-leading-empty-lines", CRLF + CRLF + request(b"GET / HTTP/1.1", [host]))

    # Line ends.
    add("bare-lf", request(b"GET / HTTP/1.1", [host], end=b"\n"))
    add("bare-lf-mixed", b"GET / HTTP/1.1\r\nHost: a\n\r\n")
    add("bare-cr", b"GET / HTTP/1.1\r\nX: a\rb\r\nHost: a\r\n\r\n")

    # Field lines.
    fields = {
        "obs-fold": [host, b"X: a", b" continued"],
        "leading-ws-field": [b"\tX: y", host],
        "empty-name": [host, b": y"],
        "bad-name": [host, b"X(: y"],
        "ws-before-colon": [b"Host : a"],
        "missing-colon": [host, b"X-No-Colon"],
        "nul-value": [host, b"X: a\x00b"],
        "vt-value": [host, b"X: a\x0bb"],
        "obs-text-value": [host, b"X: caf\xc3\xa9 \xff"],
        "ows-value": [host, b"X: \t spaced  value \t"],
        "empty-value": [host, b"X:"],
        "missing-host": [],
        "duplicate-host": [host, b"host: example.com"],
        "empty-host": [b"Host:"],
        "host-space": [b"Host: a b"],
        "host-userinfo": [b"Host: a@b"],
        "host-bad-port": [b"Host: a:99999"],
        "host-empty-port": [b"Host: a:"],
        "host-ipv6": [b"Host: [::1]:8080"],
        "host-escape": [b"Host: a%41b.example"],
        "many-fields": [host] + [b"X-%d: %d" % (i, i) for i in range(30)],
        "expect-continue": [host, b"Expect: 100-Continue"],
        "expect-other": [host, b"Expect: 100-continue, x"],
        "connection-close": [host, b"Connection: keep-alive, CLOSE"],
        "connection-lines": [host, b"Connection: upgrade", b"Connection: close"],
    }
    for name, f in fields.items():
        add("field-" + name, request(b"GET / HTTP/1.1", f))

    # Framing: Content-Length and Transfer-Encoding, including the smuggling classics.
    body = b"hello"
    te = b"Transfer-Encoding: chunked"
    framing = {
        "cl": ([host, b"Content-Length: 5"], body),
        "cl-zero": ([host, b"Content-Length: 0"], b""),
        "cl-leading-zeros": ([host, b"Content-Length: 005"], body),
        "cl-list-same": ([host, b"Content-Length: 5, 5"], body),
        "cl-lines-same": ([host, b"Content-Length: 5", b"Content-Length: 05"], body),
        "cl-conflict": ([host, b"Content-Length: 5, 6"], body),
        "cl-plus": ([host, b"Content-Length: +5"], body),
        "cl-negative": ([host, b"Content-Length: -1"], body),
        "cl-hex": ([host, b"Content-Length: 0x5"], body),
        "cl-trailing-comma": ([host, b"Content-Length: 5,"], body),
        "cl-empty": ([host, b"Content-Length:"], body),
        "cl-overflow": ([host, b"Content-Length: 18446744073709551616"], body),
        "cl-max": ([host, b"Content-Length: 18446744073709551615"], body),
        "cl-too-large": ([host, b"Content-Length: 2000000"], body),
        "te": ([host, te], chunked(b"hello", b" world")),
        "te-case": ([host, b"Transfer-Encoding: ChUnKeD"], chunked(b"hi")),
        "te-empty-elements": ([host, b"Transfer-Encoding: ,chunked,"], chunked(b"hi")),
        "te-gzip-chunked": ([host, b"Transfer-Encoding: gzip, chunked"], chunked(b"hi")),
        "te-chunked-gzip": ([host, b"Transfer-Encoding: chunked, gzip"], chunked(b"hi")),
        "te-twice": ([host, te, te], chunked(b"hi")),
        "te-params": ([host, b"Transfer-Encoding: chunked;q=1"], chunked(b"hi")),
        "te-xchunked": ([host, b"Transfer-Encoding: xchunked"], chunked(b"hi")),
        "te-only-comma": ([host, b"Transfer-Encoding: ,"], chunked(b"hi")),
        "te-tab": ([host, b"Transfer-Encoding:\tchunked"], chunked(b"hi")),
        "cl-te": ([host, b"Content-Length: 4", te], chunked(b"hi")),
        "te-cl": ([host, te, b"Content-Length: 4"], chunked(b"hi")),
        "te-ws-colon": ([host, b"Transfer-Encoding : chunked"], chunked(b"hi")),
        "te-obs-fold": ([host, b"Transfer-Encoding:", b" chunked"], chunked(b"hi")),
        "chunk-ext": ([host, te], chunked(b"hello", ext=b';a=b;c="d\\"e" ; f')),
        "chunk-trailers": ([host, te], chunked(b"hello", trailers=[b"X-T: 1", b"Y: 2"])),
        "chunk-upper-hex": ([host, te], b"A\r\n0123456789\r\n0\r\n\r\n"),
        "chunk-leading-zeros": ([host, te], b"0005\r\nhello\r\n000\r\n\r\n"),
        "chunk-overflow": ([host, te], b"10000000000000000\r\nx\r\n0\r\n\r\n"),
        "chunk-bad-size": ([host, te], b"0x5\r\nhello\r\n0\r\n\r\n"),
        "chunk-size-space": ([host, te], b"5 \r\nhello\r\n0\r\n\r\n"),
        "chunk-missing-crlf": ([host, te], b"5\r\nhelloX\r\n0\r\n\r\n"),
        "chunk-bare-lf": ([host, te], b"5\nhello\n0\n\n"),
        "chunk-data-crlf": ([host, te], b"4\r\n\r\n\r\n\r\n0\r\n\r\n"),
    }
    for name, (f, b) in framing.items():
        add("framing-" + name, request(b"POST /echo HTTP/1.1", f, b))
    add("te-http10", request(b"POST /echo HTTP/1.0", [te], chunked(b"hi")))

    # Keep-alive and pipelining, as a server reads them.
    get = request(b"GET / HTTP/1.1", [host])
    head = request(b"HEAD / HTTP/1.1", [host])
    post = request(b"POST /echo HTTP/1.1", [host, b"Content-Length: 5"], body)
    add("pipeline-get-head-post", get + head + post)
    add("pipeline-chunked-then-get", request(b"POST /echo HTTP/1.1", [host, te],
                                             chunked(b"abc")) + get)
    add("pipeline-after-close", request(b"GET / HTTP/1.1", [host, b"Connection: close"]) + get)
    add("pipeline-then-error", get + b"GET / HTTP/1.1\r\nHost : a\r\n\r\n")
    add("pipeline-body-smuggled", request(b"POST / HTTP/1.1", [host, b"Content-Length: 30"],
                                          get))
    add("expect-continue-body", request(b"POST /echo HTTP/1.1",
                                        [host, b"Expect: 100-continue", b"Content-Length: 5"],
                                        body))
    add("head-echo-body-error", request(b"HEAD /echo HTTP/1.1", [host, te], b"zz\r\n"))
    add("options-asterisk-pipeline", request(b"OPTIONS * HTTP/1.1", [host]) + head)
    add("cut-short-body", request(b"POST /echo HTTP/1.1", [host, b"Content-Length: 50"], body))
    add("cut-short-head", b"GET / HTTP/1.1\r\nHost: exa")
    return seeds


def chunked_bodies():
    seeds = {
        "simple": chunked(b"hello"),
        "several": chunked(b"a", b"bc", b"def"),
        "empty": b"0\r\n\r\n",
        "extensions": chunked(b"hello", ext=b';name=value;q="a \\" b" ;flag'),
        "ext-bws": b"5 ; a = b\r\nhello\r\n0\r\n\r\n",
        "trailers": chunked(b"x", trailers=[b"Expires: never", b"X-Sum: 1"]),
        "upper-hex": b"1A\r\n" + b"z" * 26 + b"\r\n0\r\n\r\n",
        "leading-zeros": b"00000000000000000001\r\nz\r\n0\r\n\r\n",
        "max-size": b"ffffffffffffffff\r\nz",
        "overflow": b"10000000000000000\r\n",
        "bad-size": b"g\r\n",
        "empty-size": b"\r\n",
        "size-ws": b"5 \r\nhello\r\n0\r\n\r\n",
        "bad-ext": b"5;\r\nhello\r\n0\r\n\r\n",
        "bad-ext-value": b"5;a=\r\nhello\r\n0\r\n\r\n",
        "missing-data-crlf": b"5\r\nhelloX\r\n0\r\n\r\n",
        "bare-lf": b"5\nhello\n0\n\n",
        "trailer-obs-fold": b"0\r\nX: a\r\n b\r\n\r\n",
        "trailer-no-colon": b"0\r\nX\r\n\r\n",
        "data-holds-crlf": b"6\r\n\r\n0\r\n\r\r\n0\r\n\r\n",
        "then-next-request": chunked(b"hi") + b"GET / HTTP/1.1\r\n",
        "long-ext": b"1;" + b"a" * 1100 + b"\r\nz\r\n0\r\n\r\n",
    }
    return seeds


# ---------------------------------------------------------------------------------------------
# Chat lines, from targets/chat/PROTOCOL.md.

def chat_lines():
    return {
        "say": b"hola\n",
        "crlf": b"hola\r\n",
        "commands": b"/nick Roberto\n/who\n/me waves\n/msg Roberto hi there\n/quit bye\n",
        "nick-spaces": b"/nick   padded   \r\n",
        "nick-bad": b"/nick bad nick!\n/nick " + b"x" * 25 + b"\n",
        "msg-no-text": b"/msg someone\n/msg\n",
        "unknown": b"/NICK x\n/\n/foo bar\n",
        "slash-slash": b"//nick is a command\n",
        "empty-lines": b"\n\r\n\r\r\na\n",
        "cr-inside": b"a\rb\n\r\r\n",
        "nul": b"a\x00b\n",
        "utf8": "¡hola! ünïcödé 日本 🎉\n".encode(),
        "utf8-overlong": b"\xc0\xaf\n\xe0\x80\xaf\n",
        "utf8-surrogate": b"\xed\xa0\x80\n",
        "utf8-too-high": b"\xf4\x90\x80\x80\n",
        "utf8-truncated": b"ok \xe6\x97\n",
        "utf8-stray": b"\x80abc\n",
        "max-line": b"x" * 4095 + b"\n",
        "max-line-crlf": b"x" * 4094 + b"\r\n",
        "too-long": b"x" * 4096 + b"\nafter\n",
        "too-long-unended": b"y" * 5000,
        "unended": b"/quit no newline",
    }


# ---------------------------------------------------------------------------------------------
# Chat rooms, from targets/chat/PROTOCOL.md: several members, in fuzz_chat_room's encoding (one
# event a line: "D>" a read by member D, "D." its last bytes then the end of its input, "D!" its
# timeout, a line without prefix more bytes of the read before it; see its header).

def chat_rooms():
    return {
        "talk": b"1>hello\n2>hi guest1\n3>hola\r\n1>//nick is a command\n",
        "nick": b"1>/nick ana\n2>/nick   bob  \n3>/who\n1>hi bob\n2>/nick bob\n",
        "nick-taken": b"1>/nick ana\n2>/nick ana\n2>/nick Ana\n3>/who\n",
        "nick-bad": b"1>/nick\n1>/nick bad nick!\n1>/nick " + b"x" * 25 + b"\n1>/nick "
                    + b"y" * 24 + b"\n1>/nick caf\xc3\xa9\n2>/who\n",
        "guest-skipped": b"1>/nick guest2\n2>hi\n3>/who\n1>/nick guest4\n4>/who\n",
        "msg": b"1>/nick ana\n2>/msg ana hi there\n3>/msg guest3 note to self\n"
               b"2>/msg ana\n2>/msg nobody x\n2>/msg bad! x\n2>/msg\n",
        "msg-after-rename": b"1>/msg guest2 a\n2>/nick bee\n1>/msg guest2 b\n1>/msg bee c\n",
        "me": b"1>/me waves\n2>/me\n3>/me   \n3>/me  spaced  out \n",
        "unknown": b"1>/NICK x\n2>/\n3>/foo bar\n1>/quitnow\n1>/who\tx\n",
        "quit": b"1>hi\n2>/quit gone fishing\nnever relayed\n3>/quit\n1>/who\n",
        "rejoin": b"1>/nick ana\n1>/quit\n1>I am new\n2>/who\n",
        "end-of-input": b"1>/nick ana\n2>hi\n1.last words\r\n2>/who\n",
        "end-with-quit": b"1>x\n2./quit no newline\n1>/who\n",
        "end-empty": b"1>a\n2>b\n2.\n3.\n1>/who\n",
        "timeout": b"1>a\n2>b\n2!\n1>/who\n2>back again\n",
        "full": b"".join(b"%d>hi\n" % d for d in range(1, 10)) + b"1>/quit\n9>/who\n",
        "one-read": b"1>a\nb\n/me c\n/msg guest2 d\ne\n/nick ana\nf\n/who\ng\n2>/who\n",
        "one-read-quit": b"1>hi\n2>one\ntwo\n/me three\n/nick bee\nfour\n/msg guest1 five\n"
                         b"six\n/quit seven\neight\n3>/who\n",
        "lines": b"1>a\rb\n\n\r\n\r\r\n2>" + b"a\x00b\n3>\n",
        "utf8": "1>¡hola! 日本 🎉\n".encode() + b"2>\xc0\xaf\n2>\xed\xa0\x80\n2>ok \xe6\x97\n"
                b"3>\x80abc\n3>\xf4\x90\x80\x80\n",
        "max-line": b"1>hi\n2>" + b"x" * 4095 + b"\n1>/who\n",
        "max-line-crlf": b"1>hi\n2>" + b"y" * 4094 + b"\r\n1>/who\n",
        "too-long-crlf": b"1>hi\n2>" + b"y" * 4095 + b"\r\n1>/who\n",
        "too-long": b"1>hi\n2>" + b"z" * 4096 + b"\nafter\n1>/who\n",
        "too-long-at-end": b"1>hi\n2." + b"z" * 4100 + b"\n1>/who\n",
        "one-client": b"hola\n/nick x\n/me waves\n/msg x hi\n/who\n/quit bye\n",
    }


# ---------------------------------------------------------------------------------------------
# YAML scenarios, from docs/scenarios.md: one of each step and value form, and broken ones.

def scenario_texts():
    full = """\
- name: every step
  tags: [http, smoke]
  target: http
  timeout: 2s
  vars: {path: "/echo", who: "x\\ty"}
  steps:
    - connect: c
    - connect: {name: u, protocol: udp, retry: {times: 2, delay: 10ms}}
    - send: {on: c, text: "GET ${path} HTTP/1.1\\r\\nHost: ${who}\\r\\n\\r\\n", split: [4, 10], delay: 1ms}
    - send: {on: c, hex: "00 ff 0d 0a"}
    - send: {on: c, data: ["GET /", {repeat: "a", count: 3}, " HTTP/1.1\\r\\n\\r\\n"], methods: [GET]}
    - expect: {on: c, http: {status: [200, 404], reason: OK, headers: {Server: {present: true}, X: {absent: true}, Content-Length: {regex: '^(\\d+)$'}}, body: {contains: Hola, length: 19}, responses: 1}, capture: len}
    - expect: {on: c, line: {regex: '^(a)(b)?$'}, capture: [one, two], timeout: 1s, retry: 2}
    - expect: {on: c, lines: [a, {contains: b}], any_order: true}
    - expect: {on: c, bytes: {hex: "0d 0a"}}
    - expect: {on: c, contains: "\\r\\n\\r\\n"}
    - expect: {on: c, silence: 100ms}
    - shutdown: c
    - expect: {on: c, closed: true}
    - close: {on: u, how: reset}
    - sleep: 10ms
    - signal: {signal: TERM, target: http}
    - expect: {exit: 0, timeout: 3s}
"""
    return {
        "every-step": full,
        "one-mapping": "name: one\ntarget: chat\nsteps:\n  - connect: a\n  - send: 'hola\\n'\n",
        "documents": "---\nname: a\nsteps: [{connect: c}]\n---\n- name: b\n  steps: [{sleep: 1ms}]\n",
        "anchors": "- &s\n  name: a\n  steps: &st [{connect: c}, {close: c}]\n- name: b\n  steps: *st\n",
        "alias-bomb": "a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: [*c, *c, *c]\n",
        "unknown-key": "name: a\nsteps:\n  - expect: {on: c, tiemout: 1s}\n",
        "bad-escape": "name: a\nsteps:\n  - connect: c\n  - send: {text: '\\q'}\n",
        "bad-regex": "name: a\nsteps:\n  - connect: c\n  - expect: {line: {regex: '(unclosed'}}\n",
        "undefined-var": "name: a\nsteps:\n  - connect: c\n  - send: '${nope}'\n",
        "use-after-close": "name: a\nsteps:\n  - connect: c\n  - close: c\n  - send: {on: c, text: x}\n",
        "duplicate-key": "name: a\nname: b\nsteps: []\n",
        "tag": "name: !!binary aGk=\nsteps: []\n",
        "deep": "a: " + "[" * 70 + "]" * 70 + "\n",
        "not-a-mapping": "just text\n",
        "empty": "",
    }


# ---------------------------------------------------------------------------------------------
# Dictionaries: the protocol tokens a mutation can splice in.

HTTP_TOKENS = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "CONNECT", "TRACE", "PATCH",
    " HTTP/1.1\r\n", " HTTP/1.0\r\n", "HTTP/", "http://", "https://", "*", "/echo", "?", "#", "%",
    "%00", "@", "[::1]", ":65535", ":65536", "\r\n", "\r\n\r\n", "\n", "\r", " ", "\t", ":", ",",
    ";", "=", "\"", "\\", "\x00", "\x7f", "\xff",
    "Host: ", "Content-Length: ", "Transfer-Encoding: ", "chunked", "gzip", "identity",
    "Connection: ", "close", "keep-alive", "upgrade", "Expect: ", "100-continue",
    "18446744073709551615", "18446744073709551616", "0\r\n\r\n", "ffffffffffffffff",
]
CHUNKED_TOKENS = [
    "\r\n", "0\r\n\r\n", ";", "=", "\"", "\\", " ", "\t", ":", "ffffffffffffffff",
    "10000000000000000", "0000", "a", "F", "ext=value", "X-Trailer: 1\r\n",
]
CHAT_TOKENS = [
    "\n", "\r\n", "\r", "/", "//", "/nick ", "/who", "/me ", "/msg ", "/quit", " ", "\x00",
    "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe6\x97\xa5", "\xf0\x9f\x8e\x89", "\x80",
]
# Besides the chat tokens: fuzz_chat_room's event prefixes and the nicks the room hands out.
CHAT_ROOM_TOKENS = CHAT_TOKENS + [
    "\n1>", "\n2>", "\n3>", "\n4>", "\n7>", "\n9>", "1.", "2.", "3!", "\n2.", "\n3!",
    "guest1", "guest2", "guest3", "/msg guest1 ", "/msg guest2 ", "/nick guest", "/quit ",
]
YAML_TOKENS = [
    "name: ", "description: ", "tags: ", "skip: ", "target: ", "timeout: ", "vars: ", "steps:",
    "- connect: ", "- send: ", "- expect: ", "- close: ", "- shutdown: ", "- sleep: ",
    "- signal: ", "on: ", "text: ", "hex: ", "file: ", "repeat: ", "count: ", "data: ",
    "split: ", "delay: ", "allow_close: ", "methods: ", "retry: ", "times: ", "line: ",
    "lines: ", "bytes: ", "contains: ", "silence: ", "closed: true", "reset: true", "http: ",
    "exit: ", "status: ", "reason: ", "headers: ", "body: ", "length: ", "responses: ",
    "capture: ", "regex: ", "exact: ", "present: true", "absent: true", "any_order: true",
    "protocol: udp", "address: ", "how: reset", "args: ", "fresh: true", "${", "}", "\\x",
    "&a ", "*a", "---\n", "- ", "{", "}", "[", "]", "'", "\"", "100ms", "2s", "\n  ",
]


def dictionary(tokens):
    lines = ["# Generated by corpus/make_seeds.py: protocol tokens for mutations."]
    for token in tokens:
        escaped = "".join(
            c if 0x20 <= ord(c) < 0x7F and c not in "\\\"" else
            ("\\" + c if c in "\\\"" else "\\x%02x" % ord(c))
            for c in token)
        lines.append('"%s"' % escaped)
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------

def export_scenarios(parley):
    """Runs `parley export-seeds` over scenarios/; returns {target: {name: bytes}}."""
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([parley, "export-seeds", str(ROOT / "scenarios"), "--out", out],
                       check=True, stdout=subprocess.DEVNULL)
        found = {}
        for path in sorted(Path(out).rglob("*")):
            if path.is_file():
                found.setdefault(path.parent.name, {})[path.name] = path.read_bytes()
        return found


def chunked_body_of(data):
    """The bytes after the head of a chunked request, or None."""
    head, sep, rest = data.partition(b"\r\n\r\n")
    if sep and re.search(rb"(?im)^transfer-encoding:.*chunked", head) and rest:
        return rest
    return None


def plan(parley):
    """{fuzzer: {file name: bytes}} for every generated seed."""
    files = {name: {} for name in HTTP_FUZZERS + ("fuzz_http_chunked", "fuzz_chat_line",
                                                   "fuzz_chat_room", "fuzz_scenario")}
    exported = export_scenarios(parley)
    for name, data in exported.get("http", {}).items():
        for fuzzer in HTTP_FUZZERS:
            files[fuzzer]["scn-" + name] = data
        body = chunked_body_of(data)
        if body is not None:
            files["fuzz_http_chunked"]["scn-" + name] = body
    for name, data in exported.get("chat", {}).items():
        files["fuzz_chat_line"]["scn-" + name] = data
    for path in sorted((ROOT / "scenarios").rglob("*.y*ml")):
        rel = path.relative_to(ROOT / "scenarios").as_posix()
        files["fuzz_scenario"]["scn-" + re.sub(r"[^A-Za-z0-9.]+", "-", rel)] = path.read_bytes()

    for name, data in http_requests().items():
        for fuzzer in HTTP_FUZZERS:
            files[fuzzer]["gen-" + name] = data
        body = chunked_body_of(data)
        if body is not None:
            files["fuzz_http_chunked"]["gen-req-" + name] = body
    for name, data in chunked_bodies().items():
        files["fuzz_http_chunked"]["gen-" + name] = data
    for name, data in chat_lines().items():
        files["fuzz_chat_line"]["gen-" + name] = data
    for name, data in chat_rooms().items():
        files["fuzz_chat_room"]["gen-" + name] = data
    for name, text in scenario_texts().items():
        files["fuzz_scenario"]["gen-" + name + ".yaml"] = text.encode()
    # libFuzzer cuts inputs at max_len; a seed longer than that is a different, cut input.
    for fuzzer, seeds in files.items():
        for name in [n for n, data in seeds.items() if len(data) > MAX_LEN[fuzzer]]:
            del seeds[name]
    return files


# libFuzzer's -max_len per fuzzer. Without it libFuzzer takes the largest seed (a 70,000-byte
# request line), and mutating buffers that long costs more than running the target. The HTTP
# limits are reached with small inputs through the small Limits the fuzzers also use.
MAX_LEN = {"fuzz_http_request": 16384, "fuzz_http_differential": 16384,
           "fuzz_http_server": 16384, "fuzz_http_chunked": 8192, "fuzz_chat_line": 12288,
           "fuzz_chat_room": 8192, "fuzz_scenario": 16384}


def options(fuzzer):
    return ("# Generated by corpus/make_seeds.py: libFuzzer options (OSS-Fuzz .options format).\n"
            "[libfuzzer]\nmax_len = %d\n" % MAX_LEN[fuzzer])


def dictionaries():
    dicts = {fuzzer: dictionary(HTTP_TOKENS) for fuzzer in HTTP_FUZZERS}
    dicts["fuzz_http_chunked"] = dictionary(CHUNKED_TOKENS)
    dicts["fuzz_chat_line"] = dictionary(CHAT_TOKENS)
    dicts["fuzz_chat_room"] = dictionary(CHAT_ROOM_TOKENS)
    dicts["fuzz_scenario"] = dictionary(YAML_TOKENS)
    return dicts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parley", required=True, help="the built parley program")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if corpus/ is not what this would write")
    args = parser.parse_args()

    files = plan(args.parley)
    dicts = dictionaries()
    stale = []
    for fuzzer, seeds in files.items():
        folder = CORPUS / fuzzer
        current = {p.name: p.read_bytes() for p in folder.glob("*")
                   if p.is_file() and p.name.startswith(GENERATED)} if folder.is_dir() else {}
        if current != seeds:
            stale.append(fuzzer)
        if args.check:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        for name in current.keys() - seeds.keys():
            (folder / name).unlink()
        for name, data in seeds.items():
            if current.get(name) != data:
                (folder / name).write_bytes(data)
    extra = {fuzzer + ".dict": text for fuzzer, text in dicts.items()}
    extra.update({fuzzer + ".options": options(fuzzer) for fuzzer in MAX_LEN})
    for name, text in sorted(extra.items()):
        path = CORPUS / name
        if not path.exists() or path.read_text() != text:
            stale.append(name)
            if not args.check:
                path.write_text(text)
    total = sum(len(s) for s in files.values())
    if args.check:
        if stale:
            print("make_seeds: out of date: " + ", ".join(sorted(set(stale))), file=sys.stderr)
            return 1
        print("make_seeds: corpus is up to date (%d seeds)" % total)
        return 0
    print("make_seeds: %d seeds for %d fuzzers (%s)" % (
        total, len(files), ", ".join("%s %d" % (f, len(s)) for f, s in sorted(files.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
