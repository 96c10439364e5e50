#!/usr/bin/env python3
"""Writes a synthetic support mailbox (mbox) for `kbgen desk` benchmarks: N messages in threads of a
customer's question (half of them widget tickets with the machine block `solodesk:v1:`, the
format of widget/src/ticket/block.rs), the owner's answer and sometimes a follow-up; questions
come from 300 topics in English and Chinese so `kbgen desk gaps` has real groups to find.

    python3 gen_desk_mbox.py 50000 desk.mbox [owner@address]

Deterministic (seeded), so runs compare.
"""
import base64
import json
import random
import sys
import time
import zlib

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
EN_NOUNS = "parcel invoice refund password kettle grinder subscription voucher address warranty " \
    "delivery courier discount account filter battery charger lid handle beans".split()
EN_VERBS = "ship cancel change return track reset pause renew replace activate".split()
EN_PLACES = "Iceland Norway Canada Japan Brazil Kenya Chile Poland Egypt Vietnam".split()
EN_FORMS = [
    "how do I {v} my {n}", "can you {v} the {n} to {p}", "{n} {v} to {p} not working",
    "why can't I {v} my {n}", "do you {v} {n} to {p}", "my {n} is broken, can I {v} it",
]
ZH_NOUNS = "发票 退款 密码 包裹 订阅 优惠券 地址 保修 电池 咖啡豆".split()
ZH_VERBS = "取消 修改 退回 追踪 重置 暂停 续订 更换".split()
ZH_FORMS = ["怎么{v}{n}", "可以{v}我的{n}吗", "{n}无法{v}", "我想{v}{n}"]


def topics(rng):
    out = []
    for i in range(300):
        if i % 5 == 4:
            out.append(("zh", rng.choice(ZH_NOUNS), rng.choice(ZH_VERBS), ""))
        else:
            out.append(("en", rng.choice(EN_NOUNS), rng.choice(EN_VERBS), rng.choice(EN_PLACES)))
    return out


def question(rng, topic):
    lang, n, v, p = topic
    form = rng.choice(ZH_FORMS if lang == "zh" else EN_FORMS)
    return form.format(n=n, v=v, p=p)


def block(ref, lang, turns):
    doc = {"ref": ref, "site": "Acme", "page": "https://acme.test/help/", "lang": lang,
           "wv": "0.1.0", "time": "2026-03-02T10:00:00Z", "turns": turns}
    packed = zlib.compress(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode(), 9)
    return "solodesk:v1:" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def main():
    n = int(sys.argv[1])
    path = sys.argv[2]
    owner = sys.argv[3] if len(sys.argv) > 3 else "help@acme.test"
    rng = random.Random(18)
    tops = topics(rng)
    written = 0
    thread = 0
    base = 1767225600  # 2026-01-01
    # Threads spread over about 26 weeks, whatever the size.
    step = max(1, int(182 * 86400 / max(1, n / 1.9)))
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        def emit(frm, to, subject, date, mid, body, reply_to=None):
            nonlocal written
            t = base + date
            stamp = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(t))
            f.write(f"From {frm} {time.strftime('%a %b %d %H:%M:%S %Y', time.gmtime(t))}\n")
            subj = "=?UTF-8?B?" + base64.b64encode(subject.encode()).decode() + "?="
            f.write(f"From: {frm}\nTo: {to}\nSubject: {subj}\nDate: {stamp}\nMessage-ID: <{mid}>\n")
            if reply_to:
                f.write(f"In-Reply-To: <{reply_to}>\nReferences: <{reply_to}>\n")
            f.write("MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n")
            for line in body.split("\n"):
                f.write((">" + line if line.startswith("From ") else line) + "\n")
            f.write("\n")
            written += 1

        while written < n:
            thread += 1
            topic = tops[min(int(rng.paretovariate(1.2)) - 1, len(tops) - 1) if rng.random() < 0.5 else rng.randrange(len(tops))]
            lang = topic[0]
            customer = f"customer{rng.randrange(n // 3 + 1)}@example.com"
            date = thread * step + rng.randrange(step)
            q = question(rng, topic)
            qid = f"q{thread}@example.com"
            if rng.random() < 0.5:
                ref = "".join(rng.choice(ALPHABET) for _ in range(6))
                turns = []
                for _ in range(rng.randrange(1, 4)):
                    kind = rng.choice(["none", "weak", "articles", "rule"])
                    t = {"q": question(rng, topic), "a": kind}
                    if kind == "rule":
                        t["rule"] = "refund"
                    if kind in ("articles", "weak", "rule"):
                        t["ids"] = [rng.choice(["refunds", "reset-password", "shipping"])]
                    if rng.random() < 0.4:
                        t["ok"] = rng.random() < 0.3
                    turns.append(t)
                turns[-1]["q"] = q
                body = (f"{q}?\n\n--\nEmail: {customer}\nPage: https://acme.test/help/\n"
                        f"Language: {lang}\nReference: {ref}\n\n{block(ref, lang, turns)}")
                emit(customer, owner, f"[Acme #{ref}] {q}", date, qid, body)
            else:
                emit(customer, owner, q, date, qid, f"Hello,\n\n{q}? Thanks.\n")
            if written < n and rng.random() < 0.7:
                emit(owner, customer, "Re: " + q, date + rng.randrange(600, 90000),
                     f"a{thread}@acme.test", "Here is how.\n", reply_to=qid)
                if written < n and rng.random() < 0.3:
                    emit(customer, owner, "Re: " + q, date + 100000, f"f{thread}@example.com",
                         "Thanks, one more thing.\n", reply_to=f"a{thread}@acme.test")


if __name__ == "__main__":
    main()
