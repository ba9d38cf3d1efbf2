"""Triage: replays every failing input an engine left under OUT/<fuzzer>/ with the libFuzzer
build, names it by sanitizer error type and the top frames of its stack, and keeps one folder per
unique finding in OUT/findings/<id>/: the first input, a minimized input, the stack, and the
one-line command that reproduces it (repro.sh). OUT/findings/index.json records which input went
to which finding, so a resumed campaign only adds."""

import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path

from ci.fuzz import conventions
from ci.fuzz.processes import run_bounded

MINIMIZE_SECONDS = 60

# Frames that say nothing about where the bug is: runtimes, the engine, libc, the property check.
NOISE = re.compile(
    r"^(__sanitizer|__asan|__ubsan|__lsan|__interceptor|__cxa|__gnu_cxx|__libc|__GI_|"
    r"__pthread|_start|start_thread|fuzzer::|abort|raise|gsignal|std::|operator new|"
    r"operator delete|malloc|calloc|realloc|free|memcpy|memmove|memset|memcmp|strlen|"
    r"LLVMFuzzerTestOneInput$|parley::fuzz::PropertyFailed|boost::throw_exception|"
    r"boost::asio::detail::throw_error|boost::asio::detail::do_throw_error|main$)")
FRAME = re.compile(r"^\s*#(\d+) 0x[0-9a-f]+ in (.+?)(?: (/\S+|\(\S+\)))?$")

# The error types, most telling first: the first that matches a replay's output names it.
KINDS = [
    (r"==FUZZ== property violated: (.+)", lambda m: "property: " + m.group(1).strip()),
    (r"ERROR: AddressSanitizer: ([\w-]+)", lambda m: "asan: " + m.group(1)),
    (r"ERROR: LeakSanitizer: ([\w -]+)", lambda m: "leak"),
    (r"runtime error: ([^\n]+)",
     lambda m: "ubsan: " + re.sub(r"(0x)?[0-9a-f]{4,}|\d+", "N", m.group(1))[:80]),
    (r"ERROR: libFuzzer: timeout", lambda m: "timeout"),
    (r"ERROR: libFuzzer: out-of-memory", lambda m: "out-of-memory"),
    (r"ERROR: libFuzzer: fuzz target exited", lambda m: "exit"),
    (r"terminate called after throwing an instance of '([^']+)'",
     lambda m: "uncaught exception: " + m.group(1)),
    (r"ERROR: libFuzzer: deadly signal", lambda m: "deadly signal"),
]


def log(message):
    print("campaign: " + message, flush=True)


def function_name(text):
    """'parley::http::Foo::Bar(int) const /src/x.cc:12:3' -> 'parley::http::Foo::Bar'."""
    text = re.sub(r"\s+\(BuildId: \w+\)$", "", text.strip())
    text = re.sub(r"\s+\(/[^()]*\+0x[0-9a-f]+\)$", "", text)  # (module+offset)
    text = re.sub(r"\s+/\S+$", "", text)  # file:line
    depth = 0
    for i, c in enumerate(text):  # cut the parameter list (the first '(' at template depth 0)
        if c == "<":
            depth += 1
        elif c == ">":
            depth -= 1
        elif c == "(" and depth == 0 and i > 0 and not text.startswith("(anonymous", i):
            return text[:i]
    return text


def top_frames(output, count=3):
    """The first `count` distinct frames of the report's first stack that are not noise."""
    frames = []
    started = False
    for line in output.splitlines():
        m = FRAME.match(line)
        if not m:
            if started and frames:
                break  # only the first stack of the report
            continue
        started = True
        name = function_name(m.group(2))
        if NOISE.match(name) or name.startswith("0x") or not name:
            continue
        if name not in frames:
            frames.append(name)
        if len(frames) == count:
            break
    return frames


def classify(output, artifact_name):
    """(kind, [top frames], head of the report) of a replay's output."""
    kind = None
    for pattern, name in KINDS:
        m = re.search(pattern, output)
        if m:
            kind = name(m)
            break
    if kind is None:
        kind = "did not reproduce (%s)" % artifact_name.split("-")[0].split(":")[0]
    lines = output.splitlines()
    first = next((i for i, l in enumerate(lines)
                  if "==FUZZ==" in l or "ERROR:" in l or "runtime error" in l), 0)
    head = "\n".join(lines[first:first + 14])
    return kind, top_frames(output), head


def signature_of(fuzzer, kind, frames, output):
    """What makes a finding unique; a differential disagreement is told apart by what each parser
    said."""
    signature = fuzzer + " | " + kind + " | " + " < ".join(frames)
    said = re.search(r"^==FUZZ== (parley: .*, Beast: [^(]*)", output, re.M)
    if said:
        signature += " | " + said.group(1).strip()
    return signature


class Replayer:
    """Runs one fuzzer's libFuzzer build on single inputs, under the campaign's limits."""

    def __init__(self, binary, timeout, rss_limit_mb):
        self.binary = binary
        self.timeout = timeout
        self.limits = conventions.limit_flags(timeout, rss_limit_mb)

    def replay(self, path):
        """The output of one run on `path`; a run that outlasts its bound is a timeout."""
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "symbolize=1:detect_leaks=1")
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
        code, text = run_bounded([self.binary, "-runs=1"] + self.limits + [path],
                                 self.timeout * 3 + 60, env=env)
        if code is None:
            text += "\nERROR: libFuzzer: timeout (killed by triage)\n"
        return text

    def minimize(self, source, target, seconds=MINIMIZE_SECONDS):
        """Writes a smaller input that fails the same way to `target` (else a copy of `source`)."""
        args = [self.binary, "-minimize_crash=1", "-max_total_time=%d" % seconds] + self.limits
        run_bounded(args + ["-exact_artifact_path=%s" % target, source], seconds * 2 + 60,
                    output=False)
        if not Path(target).is_file():
            shutil.copyfile(source, target)

    def repro(self, path):
        return "%s -runs=1 -timeout=%d %s" % (self.binary, self.timeout, path)


def new_finding(replayer, fuzzer, artifact, folder, output, kind, frames, signature):
    """Fills OUT/findings/<id>/ for a finding seen for the first time; returns its index entry."""
    folder.mkdir(exist_ok=True)
    shutil.copyfile(artifact, folder / "input")
    replayer.minimize(artifact, folder / "minimized")
    stack = replayer.replay(folder / "minimized")
    if classify(stack, artifact.name)[0] != kind:
        # Minimizing changed the bug; keep the original as the reproducer.
        shutil.copyfile(artifact, folder / "minimized")
        stack = output
    (folder / "stack.txt").write_text(stack)
    repro = replayer.repro(folder / "minimized")
    (folder / "repro.sh").write_text("#!/bin/sh\n# %s\nexec %s \"$@\"\n" % (signature, repro))
    os.chmod(folder / "repro.sh", 0o755)
    return {"fuzzer": fuzzer, "kind": kind, "frames": frames, "signature": signature,
            "head": classify(stack, artifact.name)[2], "repro": repro,
            "size": (folder / "minimized").stat().st_size,
            "first_seen": time.strftime("%Y-%m-%d %H:%M:%S"), "count": 0}


def triage(out, bin_dir, timeout=conventions.TIMEOUT_SECONDS,
           rss_limit_mb=conventions.RSS_LIMIT_MB):
    out = Path(out)
    findings_dir = out / "findings"
    findings_dir.mkdir(exist_ok=True)
    index_path = findings_dir / "index.json"
    index = json.loads(index_path.read_text()) if index_path.exists() else {
        "artifacts": {}, "findings": {}}
    for folder in conventions.fuzzer_folders(out):
        fuzzer = folder.name
        binary = Path(bin_dir).resolve() / fuzzer
        replayer = Replayer(binary, timeout, rss_limit_mb)
        for artifact in conventions.failures_in(folder):
            key = str(artifact.relative_to(out))
            if key in index["artifacts"]:
                continue
            if not binary.exists():
                log("no binary for %s; %s left for later" % (fuzzer, key))
                continue
            output = replayer.replay(artifact)
            kind, frames, _ = classify(output, artifact.name)
            signature = signature_of(fuzzer, kind, frames, output)
            fid = fuzzer + "-" + hashlib.sha1(signature.encode()).hexdigest()[:10]
            index["artifacts"][key] = fid
            finding = index["findings"].get(fid)
            if finding is None:
                log("new finding %s: %s" % (fid, kind))
                finding = new_finding(replayer, fuzzer, artifact, findings_dir / fid, output,
                                      kind, frames, signature)
                index["findings"][fid] = finding
            finding["count"] += 1
            index_path.write_text(json.dumps(index, indent=1, sort_keys=True))
    index_path.write_text(json.dumps(index, indent=1, sort_keys=True))
    log("triage: %d artifacts, %d unique findings" % (len(index["artifacts"]),
                                                      len(index["findings"])))
