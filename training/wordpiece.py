"""The BERT-uncased WordPiece pipeline of a Hugging Face tokenizer.json, in plain Python (Debian has no
python3-tokenizers): BertNormalizer (clean text, CJK spacing, lowercase + strip accents), BertPreTokenizer
(whitespace and punctuation), WordPiece (greedy longest match, '##' continuation, [UNK] for a word that does not
split), then [CLS] ... [SEP]. The Java engine runs the same tokenizer.json through the Rust library (DJL);
training/check_tokenizer and the equivalence test compare the two id for id.

Also: trim_vocabulary, which writes a smaller WordPiece tokenizer.json keeping the tokens a corpus uses.
"""
import json, unicodedata


# Unicode White_Space, as Rust's char::is_whitespace (the tokenizers library) sees it
_WHITESPACE = set("\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | {chr(c) for c in range(0x2000, 0x200B)}


def _is_whitespace(c):
    return c in _WHITESPACE


def _is_control(c):
    # the library drops "other" characters: Cc, Cf, Cs, Co, Cn (whitespace was handled first)
    return unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn")


def _is_punct(c):
    o = ord(c)
    if 33 <= o <= 47 or 58 <= o <= 64 or 91 <= o <= 96 or 123 <= o <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def _is_cjk(o):
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2A6DF or 0x2A700 <= o <= 0x2B73F
            or 0x2B740 <= o <= 0x2B81F or 0x2B920 <= o <= 0x2CEAF or 0xF900 <= o <= 0xFAFF or 0x2F800 <= o <= 0x2FA1F)


class WordPiece:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            t = json.load(f)
        m = t["model"]
        assert m["type"] == "WordPiece", m["type"]
        self.vocab = m["vocab"]
        self.unk = self.vocab[m["unk_token"]]
        self.prefix = m.get("continuing_subword_prefix", "##")
        self.max_chars = m.get("max_input_chars_per_word", 100)
        self.cls, self.sep = self.vocab["[CLS]"], self.vocab["[SEP]"]
        self.pad = self.vocab["[PAD]"]
        n = t["normalizer"]
        self.lowercase = n.get("lowercase", True)
        sa = n.get("strip_accents")
        self.strip_accents = self.lowercase if sa is None else sa
        self.cache = {}

    def normalize(self, text):
        out = []
        for c in text:
            o = ord(c)
            if o == 0 or o == 0xFFFD:
                continue
            if _is_whitespace(c):
                out.append(" ")
            elif _is_control(c):
                continue
            elif _is_cjk(o):
                out.append(" " + c + " ")
            else:
                out.append(c)
        s = "".join(out)
        if self.strip_accents:
            s = "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")
        if self.lowercase:
            s = s.lower()
        return s

    def words(self, text):
        for chunk in self.normalize(text).split():
            cur = []
            for c in chunk:
                if _is_punct(c):
                    if cur: yield "".join(cur); cur = []
                    yield c
                else:
                    cur.append(c)
            if cur: yield "".join(cur)

    def word_ids(self, w):
        hit = self.cache.get(w)
        if hit is not None:
            return hit
        if len(w) > self.max_chars:
            ids = [self.unk]
        else:
            ids, start = [], 0
            while start < len(w):
                end, found = len(w), None
                while start < end:
                    piece = w[start:end] if start == 0 else self.prefix + w[start:end]
                    if piece in self.vocab:
                        found = self.vocab[piece]; break
                    end -= 1
                if found is None:
                    ids = [self.unk]; break
                ids.append(found); start = end
        if len(self.cache) < 500000:
            self.cache[w] = ids
        return ids

    def encode(self, text, limit=None):
        """[CLS] ids [SEP]; with a limit, the first limit-1 ids and [SEP] (as the Java ModelTokenizer truncates)."""
        ids = [self.cls]
        for w in self.words(text):
            ids.extend(self.word_ids(w))
            if limit is not None and len(ids) >= limit:
                break
        ids.append(self.sep)
        if limit is not None and len(ids) > limit:
            ids = ids[: limit - 1] + [self.sep]
        return ids


def trim_vocabulary(src_path, dst_path, keep_tokens):
    """Write a WordPiece tokenizer.json whose vocabulary is the special tokens, every single-character piece
    (plain and '##') of the source vocabulary, and keep_tokens, renumbered 0..n-1 in source order. Words whose
    pieces were dropped split into smaller pieces. Returns new_to_old, the source id of each new id.
    Truncation and padding are switched off (the engine truncates itself and packs without padding)."""
    with open(src_path, encoding="utf-8") as f:
        t = json.load(f)
    vocab = t["model"]["vocab"]
    keep = set(keep_tokens)
    specials = {a["content"] for a in t.get("added_tokens", [])}
    chosen = []
    for tok, i in sorted(vocab.items(), key=lambda kv: kv[1]):
        core = tok[2:] if tok.startswith("##") else tok
        if tok in specials or tok in keep or (len(core) == 1 and not tok.startswith("[unused")):
            chosen.append((tok, i))
    new_vocab = {tok: n for n, (tok, _) in enumerate(chosen)}
    t["model"]["vocab"] = new_vocab
    for a in t.get("added_tokens", []):
        a["id"] = new_vocab[a["content"]]
    pp = t.get("post_processor")
    if pp and "special_tokens" in pp:
        for k, v in pp["special_tokens"].items():
            v["ids"] = [new_vocab[x] for x in v["tokens"]]
    t["truncation"] = None
    t["padding"] = None
    with open(dst_path, "w", encoding="utf-8") as f:
        json.dump(t, f, ensure_ascii=False, indent=1)
    return [i for _, i in chosen]
