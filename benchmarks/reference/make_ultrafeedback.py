#!/usr/bin/python3
"""Writes an UltraFeedback-shaped JSONL file for the data-path benchmark (docs/benchmarks.md, "Datasets").

    /usr/bin/python3 benchmarks/reference/make_ultrafeedback.py --prompts 64000 --completions 16 OUT.jsonl

Each row looks like an openbmb/UltraFeedback row (source, instruction, models, completions with model, response,
overall_score, fine-grained_score), with N completions instead of 4 and no annotations. Text is drawn from a fixed
vocabulary with a seeded generator, with some non-ASCII words, quotes, backslashes and newlines so that parsers do
real unescaping work. Same arguments, same bytes: the data is generated, never committed.
"""
import argparse
import json
import random

WORDS = ("the a of to and in is that for it as with was on be by this are or from at which not but have an they "
         "you were their one all we can her has there been if more when will would who so no sort list number "
         "answer question first second python function return value prime sum order result because however "
         "naïve café über 東京 données señal δοκιμή").split()
SOURCES = ["evol_instruct", "false_qa", "flan_v2_niv2", "sharegpt", "ultrachat", "truthful_qa"]


def sentence(rng, low, high):
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    text = " ".join(words)
    text = text[0].upper() + text[1:] + "."
    roll = rng.random()
    if roll < 0.10:
        text += '\nShe said "yes".'
    elif roll < 0.13:
        text += " See C:\\path\\to."
    return text


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--prompts", type=int, default=64000)
    parser.add_argument("--completions", type=int, default=16)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("out")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    models = [f"model-{i:02d}" for i in range(args.completions)]
    with open(args.out, "w", encoding="utf-8") as out:
        for p in range(args.prompts):
            completions = []
            quality = rng.gauss(0, 1)
            for m in models:
                ratings = [min(5, max(1, round(3 + quality * 0.5 + rng.gauss(0, 1)))) for _ in range(4)]
                completions.append({
                    "model": m,
                    "response": sentence(rng, 6, 12),
                    "overall_score": float(min(10, max(1, round(2 * (1 + sum(ratings) / 2.2)) / 2))),
                    "fine-grained_score": sum(ratings) / 4,
                })
            row = {"source": SOURCES[p % len(SOURCES)], "instruction": sentence(rng, 10, 30), "models": models, "completions": completions}
            out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
