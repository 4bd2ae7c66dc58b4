#!/usr/bin/python3
"""The loop a TRL user writes today: sweet-spot pairs from UltraFeedback-shaped JSONL with json and NumPy, streaming.

    /usr/bin/python3 benchmarks/reference/select_numpy.py IN.jsonl OUT.jsonl

Same rule as `prefsuite select` (SCIENCE.md section 2): chosen = the highest fine-grained_score (first on ties),
rejected = the other sample nearest mu - 2 sigma (population sigma, first on ties); all-equal prompts give no pair.
"""
import json
import sys

import numpy as np

with open(sys.argv[1], encoding="utf-8") as source, open(sys.argv[2], "w", encoding="utf-8") as sink:
    for line in source:
        row = json.loads(line)
        completions = row["completions"]
        r = np.array([c["fine-grained_score"] for c in completions], dtype=np.float64)
        if r.max() == r.min():
            continue
        chosen = int(np.argmax(r))
        distance = np.abs(r - (r.mean() - 2 * r.std()))
        distance[chosen] = np.inf
        rejected = int(np.argmin(distance))
        sink.write(json.dumps({"prompt": row["instruction"], "chosen": completions[chosen]["response"],
                               "rejected": completions[rejected]["response"], "score_chosen": float(r[chosen]),
                               "score_rejected": float(r[rejected])}, ensure_ascii=False) + "\n")
