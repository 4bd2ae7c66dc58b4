"""PrefSuite from Python: score a batch, run the pipeline on the demo task, watch it, stream its preference pairs.

Start the stack with fixed ports for the two services used here, then run this (from the repository root):

    dotnet run --project AppHost -- --Stages:pipeline:Port=50051 --Stages:scoring:Port=50052
    PYTHONPATH=clients/python /usr/bin/python3 clients/python/example.py

Other addresses: PREFSUITE_PIPELINE_ADDRESS, PREFSUITE_SCORING_ADDRESS; the API key, where the stack has one:
PREFSUITE_API_KEY.
"""
from __future__ import annotations

import os
import sys
import uuid

import prefsuite
from prefsuite.v1 import common_pb2, pipeline_pb2, sampling_pb2


def main() -> int:
    client = prefsuite.connect(
        pipeline=os.environ.get("PREFSUITE_PIPELINE_ADDRESS", "localhost:50051"),
        scoring=os.environ.get("PREFSUITE_SCORING_ADDRESS", "localhost:50052"),
    )
    with client:
        # A batch of responses, prompts as text or as a conversation.
        scored = client.score(
            [
                ("sort 3 1 2 =", "1 2 3"),
                ("sort 3 1 2 =", "3 2 1"),
                ([("system", "Answer with the digits only."), ("user", "sort 9 7 8 =")], "7 8 9"),
            ],
            scorers=["programmatic:sorting"],
        )
        for item in scored.items:
            print(f"reward {item.combined.reward:.3f}")

        # A run: 16 demo prompts, 8 samples each, sweet-spot pairs; no training. The first run on a fresh stack trains
        # the default policy first (a minute or two).
        spec = pipeline_pb2.RunSpec(
            run_id=f"python-example-{uuid.uuid4().hex[:6]}",
            demo_prompts=16,
            demo_seed=1,
            sampling=sampling_pb2.SamplingParams(n=8, temperature=1.0, seed=1),
            dataset=common_pb2.DatasetOptions(route_small_margins=True),
        )
        run = client.submit_run(spec)
        print(f"submitted {run.run_id}")
        for event in client.watch_run(run.run_id):
            progress = ", ".join(f"{s.stage} {s.done}/{s.total}" for s in event.run.stages)
            print(f"{pipeline_pb2.RunState.Name(event.run.state)}: {event.message} [{progress}]")
        run = client.get_run(run.run_id)
        if run.state != pipeline_pb2.RUN_STATE_SUCCEEDED:
            print(f"the run ended {pipeline_pb2.RunState.Name(run.state)}: {run.error}", file=sys.stderr)
            return 1

        print(f"kept {run.selection.kept} of {run.selection.candidate_pairs} pairs; the first three:")
        for i, row in enumerate(client.export_run(run.run_id, "pairs")):
            if i == 3:
                break
            print(f"  {row['prompt']!r}: {row['chosen']!r} ({row['score_chosen']:.2f}) over {row['rejected']!r} ({row['score_rejected']:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
