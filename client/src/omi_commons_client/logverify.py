"""Verify an OMI Commons transparency log from outside, trusting nothing the site says.

Standalone: the standard library and ``cryptography`` (Ed25519), nothing of the platform but its
pure decision rules (``governance/rules.py`` when run inside a checkout, else the copy shipped
beside this file). Run it as ``omi log verify URL`` or ``python logverify.py URL``.

It checks the checkpoint's signature (with a verifier key you pass, or the one the site serves)
and the cosignatures of the witnesses you name; fetches every entry; recomputes each leaf, the
hash chain and the RFC 6962 root; re-runs every decision's rule on its logged roll and ballots
and compares outcome and tally; checks a few inclusion proofs; checks consistency with the
checkpoint saved by an earlier run (``--state``); and, with ``--download``, compares the sha256
of each dataset version's file with the log. Formats: docs/log.md.
"""

# ruff: noqa: S310  (Site.__init__ admits http and https URLs only)
from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.util
import json
import random
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def _load_rules():
    try:
        from governance import rules  # the repository's own, inside a checkout

        return rules, "governance/rules.py"
    except ImportError:
        spec = importlib.util.spec_from_file_location(
            "omi_log_rules", Path(__file__).with_name("_rules.py")
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
        return module, "the client's copy of governance/rules.py"


class VerifyError(Exception):
    pass


# --- RFC 6962 / RFC 9162 -----------------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> None:
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        raise VerifyError("inclusion: index beyond the tree")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise VerifyError("inclusion: proof too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0 or r != root:
        raise VerifyError("inclusion: proof does not lead to the root")


def verify_consistency(
    first: int, second: int, proof: list[bytes], first_root: bytes, second_root: bytes
) -> None:
    """RFC 9162 §2.1.4.2."""
    if not 0 < first <= second:
        raise VerifyError("consistency: 0 < first <= second is required")
    if first == second:
        if proof or first_root != second_root:
            raise VerifyError("consistency: same size, different roots")
        return
    if first & (first - 1) == 0:
        proof = [first_root, *proof]
    if not proof:
        raise VerifyError("consistency: empty proof")
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            raise VerifyError("consistency: proof too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0 or fr != first_root or sr != second_root:
        raise VerifyError("consistency: the later tree does not extend the earlier one")


class RootBuilder:
    """The RFC 6962 root of leaves fed one by one, in O(log n) memory."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, bytes]] = []
        self.size = 0

    def add(self, leaf: bytes) -> None:
        node = (1, leaf)
        while self.stack and self.stack[-1][0] == node[0]:
            left = self.stack.pop()
            node = (node[0] * 2, node_hash(left[1], node[1]))
        self.stack.append(node)
        self.size += 1

    def root(self) -> bytes:
        if not self.stack:
            return hashlib.sha256(b"").digest()
        r = self.stack[-1][1]
        for _, left in reversed(self.stack[:-1]):
            r = node_hash(left, r)
        return r


# --- C2SP signed-note, tlog-checkpoint, tlog-cosignature ------------------------------------


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise VerifyError("not base64") from None


@dataclass(frozen=True)
class Key:
    name: str
    key_type: int
    key_id: bytes
    public: Ed25519PublicKey


def parse_key(text: str) -> Key:
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise VerifyError("a verifier key is <name>+<hash>+<base64 key>")
    name, hash_hex, data = parts[0], parts[1], _unb64(parts[2])
    if len(data) != 33 or data[0] not in (0x01, 0x04):
        raise VerifyError("only Ed25519 keys (0x01, cosignature 0x04) are supported")
    key_id = hashlib.sha256(name.encode() + b"\n" + data).digest()[:4]
    if key_id.hex() != hash_hex:
        raise VerifyError("the verifier key's hash does not match its key")
    return Key(name, data[0], key_id, Ed25519PublicKey.from_public_bytes(data[1:]))


def split_note(note: str) -> tuple[str, list[str]]:
    text, sep, sigs = note.rpartition("\n\n")
    if not sep:
        raise VerifyError("a signed note has a blank line before its signatures")
    return text + "\n", sigs.splitlines()


def _sig_of(lines: list[str], key: Key) -> bytes | None:
    for line in lines:
        parts = line.split(" ")
        if len(parts) == 3 and parts[0] == "\u2014" and parts[1] == key.name:
            data = _unb64(parts[2])
            if data[:4] == key.key_id:
                return data[4:]
    return None


def open_note(note: str, key: Key | str) -> str:
    """The note's text, if it carries a valid signature by ``key``."""
    key = parse_key(key) if isinstance(key, str) else key
    text, lines = split_note(note)
    signature = _sig_of(lines, key)
    if signature is None:
        raise VerifyError(f"the note carries no signature by {key.name}")
    try:
        key.public.verify(signature, text.encode())
    except InvalidSignature:
        raise VerifyError("the note's signature does not verify") from None
    return text


def parse_checkpoint(text: str) -> tuple[str, int, bytes]:
    lines = text.split("\n")
    if len(lines) < 4 or not lines[1].isdigit():
        raise VerifyError("a checkpoint is <origin>\\n<size>\\n<base64 root>\\n")
    root = _unb64(lines[2])
    if len(root) != 32:
        raise VerifyError("a checkpoint's root hash has 32 bytes")
    return lines[0], int(lines[1]), root


def verify_cosignature(note: str, key: Key | str) -> int:
    """Check the cosignature/v1 of ``key`` on the checkpoint ``note``; its timestamp."""
    key = parse_key(key) if isinstance(key, str) else key
    text, lines = split_note(note)
    data = _sig_of(lines, key)
    if data is None or len(data) != 72:
        raise VerifyError(f"no cosignature by witness {key.name}")
    timestamp = int.from_bytes(data[:8], "big")
    message = f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode()
    try:
        key.public.verify(data[8:], message)
    except InvalidSignature:
        raise VerifyError(f"the cosignature of {key.name} does not verify") from None
    return timestamp


# --- Entries -----------------------------------------------------------------------------------


def canonical_json(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_leaf(entry: dict) -> bytes:
    return canonical_json({k: entry[k] for k in ("seq", "kind", "payload", "created_at")})


def recompute_decision(payload: dict, rules) -> None:
    """Re-run the logged rule on the logged roll and ballots."""
    ballots = payload["ballots"]
    roll = payload["roll"]
    if len(roll) != payload["roll_size"] or len(set(roll)) != len(roll):
        raise VerifyError("the roll does not match its size")
    if any(b["voter"] not in roll for b in ballots) or len({b["voter"] for b in ballots}) != len(
        ballots
    ):
        raise VerifyError("a ballot is from someone not on the roll, or twice")
    quorum = Fraction(str(payload.get("quorum") or "0.5"))
    result = rules.decide(
        payload["rule"],
        len(roll),
        [rules.Ballot(b["choice"], b.get("reason", "")) for b in ballots],
        quorum=quorum,
    )
    if result.outcome != payload["outcome"] or result.tally.as_dict() != payload["tally"]:
        raise VerifyError(
            f"the rule gives {result.outcome} {result.tally.as_dict()}, the log says "
            f"{payload['outcome']} {payload['tally']}"
        )


# --- The site ------------------------------------------------------------------------------------


class Site:
    def __init__(self, url: str, timeout: float = 30) -> None:
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise VerifyError("the site's URL starts with http:// or https://")
        self.base = url.rstrip("/")
        self.timeout = timeout

    def get(self, path: str, **params) -> bytes:
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        request = urllib.request.Request(
            self.base + path + query, headers={"User-Agent": "omi-log-verify"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            raise VerifyError(f"GET {path}{query}: HTTP {exc.code} {exc.read()[:300]!r}") from None
        except urllib.error.URLError as exc:
            raise VerifyError(f"GET {path}{query}: {exc.reason}") from None

    def json(self, path: str, **params):
        return json.loads(self.get(path, **params))

    def sha256(self, path: str) -> str:
        digest = hashlib.sha256()
        request = urllib.request.Request(self.base + path, headers={"User-Agent": "omi-log-verify"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                while chunk := response.read(1 << 20):
                    digest.update(chunk)
        except urllib.error.HTTPError as exc:
            raise VerifyError(f"GET {path}: HTTP {exc.code}") from None
        return digest.hexdigest()


@dataclass
class Report:
    ok: bool = True
    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    tree_size: int = 0
    decisions: int = 0

    def passed(self, text: str) -> None:
        self.checks.append(text)

    def failed(self, text: str) -> None:
        self.ok = False
        self.problems.append(text)


API = "/api/v1/log"
PAGE = 1000


def verify(
    url: str,
    *,
    key: str | None = None,
    witnesses: tuple[str, ...] = (),
    state: Path | None = None,
    download: bool = False,
    say=lambda text: None,
) -> Report:
    site = Site(url)
    report = Report()
    rules, rules_from = _load_rules()
    served = site.json(API + "/key")
    if key and key.strip() != served["verifier_key"]:
        report.failed("the site serves a different log key than the one you gave")
        return report
    log_key = parse_key(key or served["verifier_key"])
    report.passed(
        f"log key {log_key.name} ({'pinned' if key else 'as served by the site: pin it with --key'})"
    )
    note = site.get(API + "/checkpoint").decode()
    try:
        text = open_note(note, log_key)
        origin, size, root = parse_checkpoint(text)
    except VerifyError as exc:
        report.failed(f"checkpoint: {exc}")
        return report
    if origin != served["origin"]:
        report.failed(f"checkpoint origin {origin!r} is not the log's {served['origin']!r}")
    report.tree_size = size
    report.passed(f"checkpoint signature: tree of {size} entries")
    say(report.checks[-1])
    for witness in witnesses:
        try:
            verify_cosignature(note, witness)
            report.passed(f"cosigned by witness {parse_key(witness).name}")
        except VerifyError as exc:
            report.failed(str(exc))

    builder = RootBuilder()
    prev_hash = "0" * 64
    leaves: list[bytes] = []
    for start in range(0, size, PAGE):
        end = min(start + PAGE, size) - 1
        batch = site.json(API + "/entries/", start=start, end=end)
        if [e["index"] for e in batch] != list(range(start, end + 1)):
            report.failed(f"entries {start}–{end}: the site returned other indices")
            return report
        for entry in batch:
            data = entry_leaf(entry)
            leaf = leaf_hash(data)
            leaves.append(leaf)
            builder.add(leaf)
            where = f"entry {entry['index']} (seq {entry['seq']})"
            if entry["seq"] != entry["index"] + 1:
                report.failed(f"{where}: seq is not index + 1")
            if base64.b64decode(entry["leaf_hash"]) != leaf:
                report.failed(f"{where}: leaf hash does not match its content")
            chained = hashlib.sha256(prev_hash.encode() + data).hexdigest()
            if entry["prev_hash"] != prev_hash or entry["hash"] != chained:
                report.failed(f"{where}: hash chain broken")
            prev_hash = entry["hash"]
            if entry["kind"] == "decision.recorded" and "ballots" in entry["payload"]:
                try:
                    recompute_decision(entry["payload"], rules)
                    report.decisions += 1
                except (VerifyError, KeyError, TypeError) as exc:
                    report.failed(f"{where}: decision does not recompute: {exc}")
    if builder.root() != root:
        report.failed("the entries do not hash to the checkpoint's root")
    else:
        report.passed(f"{size} entries recomputed: leaves, hash chain and root match")
    say(report.checks[-1])
    report.passed(f"{report.decisions} decisions re-run with {rules_from}: outcome and tally match")
    say(report.checks[-1])

    for index in sorted({size - 1, *random.sample(range(size), min(3, size))} if size else []):
        proof = site.json(API + "/proof/inclusion/", index=index, tree_size=size)
        try:
            verify_inclusion(index, size, leaves[index], [_unb64(h) for h in proof["hashes"]], root)
        except VerifyError as exc:
            report.failed(f"inclusion proof of entry {index}: {exc}")
    report.passed("inclusion proofs from the site verify")

    if state is not None:
        _check_state(site, state, origin, size, root, note, leaves, report)
    if download:
        _check_downloads(site, report)
    return report


def _check_state(site, state: Path, origin, size, root, note, leaves, report) -> None:
    if state.exists():
        old = json.loads(state.read_text())
        old_size, old_root = old["size"], base64.b64decode(old["root"])
        if old["origin"] != origin:
            report.failed("the saved checkpoint is of another log")
            return
        if old_size > size:
            report.failed(f"the log shrank: {old_size} entries seen before, {size} now")
            return
        if old_size:
            proof = site.json(API + "/proof/consistency/", first=old_size, second=size)
            try:
                verify_consistency(
                    old_size, size, [_unb64(h) for h in proof["hashes"]], old_root, root
                )
                earlier = RootBuilder()
                for leaf in leaves[:old_size]:
                    earlier.add(leaf)
                if earlier.root() != old_root:
                    raise VerifyError("today's first entries do not hash to the saved root")
                report.passed(f"consistent with the checkpoint saved earlier ({old_size} entries)")
            except VerifyError as exc:
                report.failed(f"NOT consistent with the checkpoint saved earlier: {exc}")
                return
    if report.ok:
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text(
            json.dumps(
                {
                    "origin": origin,
                    "size": size,
                    "root": base64.b64encode(root).decode(),
                    "note": note,
                }
            )
        )


def _check_downloads(site, report) -> None:
    size = report.tree_size
    checked = 0
    for start in range(0, size, PAGE):
        for entry in site.json(API + "/entries/", start=start, end=min(start + PAGE, size) - 1):
            if entry["kind"] != "dataset.version_created":
                continue
            p = entry["payload"]
            path = f"/api/v1/datasets/{p['dataset']}/versions/{p['version']}/download/"
            try:
                actual = site.sha256(path)
            except VerifyError as exc:
                report.failed(f"{p['dataset']} {p['version']}: {exc}")
                continue
            if actual != p["sha256"]:
                report.failed(f"{p['dataset']} {p['version']}: file sha256 differs from the log")
            checked += 1
    report.passed(f"{checked} dataset files downloaded: sha256 matches the log")


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(
        prog="logverify", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("url", help="the site, e.g. https://commons.example.org")
    parser.add_argument("--key", help="the log's verifier key, obtained elsewhere (pins it)")
    parser.add_argument(
        "--witness",
        action="append",
        default=[],
        metavar="KEY",
        help="a witness's verifier key whose cosignature is required (repeatable)",
    )
    parser.add_argument(
        "--state",
        type=Path,
        help="a file keeping the last verified checkpoint: the next run checks consistency with it",
    )
    parser.add_argument(
        "--download", action="store_true", help="download dataset files and compare their sha256"
    )
    return parser


def run(args, *, out=print, as_json: bool = False) -> int:
    try:
        report = verify(
            args.url,
            key=args.key,
            witnesses=tuple(args.witness),
            state=args.state,
            download=args.download,
            say=(lambda _t: None) if as_json else (lambda t: None),
        )
    except VerifyError as exc:
        report = Report(ok=False, problems=[str(exc)])
    if as_json:
        out(
            json.dumps(
                {
                    "ok": report.ok,
                    "tree_size": report.tree_size,
                    "decisions": report.decisions,
                    "checks": report.checks,
                    "problems": report.problems,
                },
                indent=2,
            )
        )
    else:
        for line in report.checks:
            out(f"ok    {line}")
        for line in report.problems:
            out(f"FAIL  {line}")
        out("The log verifies." if report.ok else "The log does NOT verify.")
    return 0 if report.ok else 1


def main(argv: list[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
