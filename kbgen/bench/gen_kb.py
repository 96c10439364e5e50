#!/usr/bin/env python3
"""Writes a synthetic knowledge base of N articles for build benchmarks (not a test).

    kbgen/bench/gen_kb.py N DIR

Half the ids in English, each also translated into Spanish (so N articles, N/2 ids), in 40
categories (folders), with two `related` ids and an `updated` date each, and about 300 words of
Zipf-distributed made-up words in three sections. Deterministic (fixed seed), so every run of a
size builds the same text.
"""
import os
import sys

SYLLABLES = ["ka", "re", "fun", "pass", "word", "or", "der", "ship", "ing", "log", "in", "ac",
             "count", "bil", "set", "tings", "mail", "pay", "ment", "sub", "scrip", "tion", "ex",
             "port", "da", "ta", "user", "team", "plan", "key", "lo", "ca", "lize"]


class Rng:
    """xorshift64, the same generator as engine/benches/generated."""

    def __init__(self, seed):
        self.s = seed

    def next(self):
        s = self.s
        s ^= (s << 13) & 0xFFFFFFFFFFFFFFFF
        s ^= s >> 7
        s ^= (s << 17) & 0xFFFFFFFFFFFFFFFF
        self.s = s
        return s

    def below(self, n):
        return self.next() % n


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rng = Rng(0x9E3779B97F4A7C15)
    vocab = ["".join(SYLLABLES[rng.below(len(SYLLABLES))] for _ in range(2 + rng.below(3)))
             for _ in range(30000)]

    def word():
        u = rng.below(1_000_000) / 1_000_000
        return vocab[min(max(int(len(vocab) ** u) - 1, 0), len(vocab) - 1)]

    def words(k):
        return " ".join(word() for _ in range(k))

    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "kbgen.toml"), "w") as f:
        f.write('[site]\ntitle = "Bench"\nbase_url = "https://help.example.com/"\n'
                'support_email = "help@example.com"\ndefault_language = "en"\n'
                'languages = ["en", "es"]\n')
    ids = n // 2
    for lang in ("en", "es"):
        for i in range(ids):
            cat = f"topic-{i % 40}"
            d = os.path.join(out, "articles", lang, cat)
            os.makedirs(d, exist_ok=True)
            related = f"[a{(i * 7 + 1) % ids}, a{(i * 13 + 5) % ids}]"
            body = "".join(f"## {words(3)}\n\n{words(50)}.\n\n{words(50)}.\n\n" for _ in range(3))
            with open(os.path.join(d, f"a{i}.md"), "w") as f:
                f.write(f"---\ntitle: {words(4)}\nid: a{i}\nrelated: {related}\n"
                        f"updated: 2024-{1 + i % 12:02}-{1 + i % 28:02}\n"
                        f"questions: [{words(6)}]\n---\n\n{words(30)}.\n\n{body}")


main()
