"""The Python client against the real services: every service, with an API key, through the helper and the stubs.

Run by PrefSuite.Integration.Tests (Stack/PythonClientTests), which starts the six services and sets
PREFSUITE_<SERVICE>_ADDRESS and PREFSUITE_API_KEY; by hand:

    PYTHONPATH=clients/python /usr/bin/python3 -m unittest discover -s tests/clients/python -v
"""
from __future__ import annotations

import os
import subprocess
import unittest
import uuid
from concurrent import futures
from pathlib import Path

import grpc

import prefsuite
from prefsuite.v1 import (
    common_pb2,
    denoising_pb2,
    pipeline_pb2,
    pipeline_pb2_grpc,
    reward_scoring_pb2,
    sampling_pb2,
    selection_pb2,
    training_pb2,
)

ROOT = Path(__file__).resolve().parents[3]
KEY = os.environ.get("PREFSUITE_API_KEY", "")


def status_of(call) -> grpc.StatusCode:
    try:
        call()
    except grpc.RpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def error_of(call) -> grpc.RpcError:
    try:
        call()
    except grpc.RpcError as error:
        return error
    raise AssertionError("the call succeeded")


class GeneratedStubs(unittest.TestCase):
    def test_the_committed_stubs_are_what_the_protos_give(self) -> None:
        result = subprocess.run([str(ROOT / "clients" / "python" / "generate"), "--check"], capture_output=True, text=True)
        self.assertEqual(0, result.returncode, result.stderr + result.stdout)

    def test_renamed_fields_take_keyword_free_names(self) -> None:
        self.assertEqual(0.25, denoising_pb2.DenoiseOptions(sparse_weight=0.25).sparse_weight)
        self.assertEqual(0.5, training_pb2.TrainOptions(ml_rdpo_lambda=0.5).ml_rdpo_lambda)
        self.assertEqual(3, sampling_pb2.SampleRequest(sampling=sampling_pb2.SamplingParams(n=3)).sampling.n)
        self.assertTrue(reward_scoring_pb2.ScorerInfo(is_default=True).is_default)
        # The renamed field keeps its number: bytes written under the old name read back under the new one.
        self.assertEqual(b"\x19\x00\x00\x00\x00\x00\x00\xd0\x3f", denoising_pb2.DenoiseOptions(sparse_weight=0.25).SerializeToString())


class _Pipeline(pipeline_pb2_grpc.PipelineServiceServicer):
    """A stand-in pipeline for the helper's own logic: JSONL split across chunks, keys in metadata, watch endings."""

    def __init__(self) -> None:
        self.keys: list = []
        self.events: list = []

    def ExportRun(self, request, context):  # noqa: N802 (gRPC's names)
        self.keys.append(dict(context.invocation_metadata()).get("x-api-key"))
        for piece in (b'{"a": 1}\n{"b"', b': 2}\n', b'\n{"c": 3}'):
            yield pipeline_pb2.ExportChunk(data=piece)

    def WatchRun(self, request, context):  # noqa: N802
        self.keys.append(dict(context.invocation_metadata()).get("x-api-key"))
        yield from self.events

    def GetRun(self, request, context):  # noqa: N802
        return pipeline_pb2.Run(run_id=request.run_id, state=pipeline_pb2.RUN_STATE_FAILED, error="from GetRun")


class Helper(unittest.TestCase):
    """The helper's own logic, against a stand-in pipeline served by grpcio in this process."""

    def setUp(self) -> None:
        self.pipeline = _Pipeline()
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        pipeline_pb2_grpc.add_PipelineServiceServicer_to_server(self.pipeline, self.server)
        port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()
        self.client = prefsuite.PrefSuite({"pipeline": f"127.0.0.1:{port}"}, api_key="k-123")
        self.addCleanup(self.server.stop, None)
        self.addCleanup(self.client.close)

    def test_exported_rows_are_whole_across_chunk_boundaries_and_the_key_goes_with_the_call(self) -> None:
        self.assertEqual([{"a": 1}, {"b": 2}, {"c": 3}], list(self.client.export_run("r")))
        self.assertEqual(["k-123"], self.pipeline.keys)

    def test_waiting_returns_the_final_event_or_asks_for_the_run_when_the_watch_ends_early(self) -> None:
        running = pipeline_pb2.Run(run_id="r", state=pipeline_pb2.RUN_STATE_RUNNING)
        done = pipeline_pb2.Run(run_id="r", state=pipeline_pb2.RUN_STATE_SUCCEEDED)
        self.pipeline.events = [pipeline_pb2.RunEvent(run=running), pipeline_pb2.RunEvent(run=done)]
        self.assertEqual(pipeline_pb2.RUN_STATE_SUCCEEDED, self.client.wait_for_run("r").state)
        self.pipeline.events = [pipeline_pb2.RunEvent(run=running)]
        self.assertEqual("from GetRun", self.client.wait_for_run("r").error)

    def test_bad_prompts_and_items_are_refused_naming_them(self) -> None:
        with self.assertRaisesRegex(ValueError, r"^messages\[1\]\.role: is missing$"):
            prefsuite.prompt([("user", "hi"), {"content": "no role"}])
        with self.assertRaisesRegex(ValueError, r"^prompt_messages: a conversation needs at least one message$"):
            prefsuite.score_item([], "x")
        with self.assertRaisesRegex(TypeError, r"^items\[1\]: expected a ScoreItem"):
            prefsuite.client._score_request([("p", "r"), "just text"], [])
        self.assertEqual(
            common_pb2.Prompt(prompt_id="c", messages=[common_pb2.ChatMessage(role="user", content="hi")]),
            prefsuite.prompt([common_pb2.ChatMessage(role="user", content="hi")], "c"),
        )

    def test_a_service_without_an_address_names_its_setting(self) -> None:
        with self.assertRaisesRegex(prefsuite.ServiceNotConfigured, "PREFSUITE_SCORING_ADDRESS"):
            self.client.score([("p", "r")])
        with self.assertRaisesRegex(ValueError, "unknown service scorer"):
            prefsuite.PrefSuite({"scorer": "localhost:1"})


@unittest.skipUnless(os.environ.get("PREFSUITE_PIPELINE_ADDRESS"), "needs the services: PREFSUITE_<SERVICE>_ADDRESS")
class Services(unittest.TestCase):
    client: prefsuite.PrefSuite
    policy: str
    job: training_pb2.TrainJob
    progress: list

    @classmethod
    def setUpClass(cls) -> None:
        cls.client = prefsuite.connect(timeout=120)
        # A small policy of our own, trained through the training service, for sampling and the run.
        job_id = f"py-sft-{uuid.uuid4().hex[:8]}"
        request = training_pb2.TrainRequest(
            job_id=job_id, demo_sft=True, options=training_pb2.TrainOptions(steps=30, batch_size=8, seed=1)
        )
        cls.started = cls.client.training.StartJob(request, timeout=30)
        cls.progress = list(cls.client.training.WatchJob(training_pb2.JobRequest(job_id=job_id), timeout=300))
        cls.job = cls.client.training.GetJob(training_pb2.JobRequest(job_id=job_id), timeout=30)
        cls.policy = cls.job.checkpoint_version

    @classmethod
    def tearDownClass(cls) -> None:
        cls.client.close()

    # ---------------------------------------------------------------------------------------------- health, keys

    def test_every_service_answers_health_checks_without_a_key(self) -> None:
        addresses = {s: os.environ[f"PREFSUITE_{s.upper()}_ADDRESS"] for s in prefsuite.SERVICES}
        with prefsuite.PrefSuite(addresses) as keyless:
            self.assertEqual({s: "SERVING" for s in prefsuite.SERVICES}, {s: keyless.health(s) for s in prefsuite.SERVICES})

    def test_calls_without_the_key_or_with_a_wrong_one_are_unauthenticated(self) -> None:
        self.assertTrue(KEY, "the test stack runs with an API key")
        address = os.environ["PREFSUITE_SCORING_ADDRESS"]
        for key in (None, KEY + "x"):
            with prefsuite.PrefSuite({"scoring": address}, api_key=key) as other:
                code = status_of(lambda: other.scoring.ListScorers(reward_scoring_pb2.ListScorersRequest(), timeout=30))
                self.assertEqual(grpc.StatusCode.UNAUTHENTICATED, code, f"key {key!r}")

    # --------------------------------------------------------------------------------------------------- scoring

    def test_scoring_reads_text_and_conversation_prompts(self) -> None:
        task = "sort 3 1 2 ="
        scored = self.client.score(
            [
                (task, "1 2 3"),
                (task, "1 2 3", True),
                (task, "3 2 1"),
                ([("system", "Answer with digits."), ("user", task)], "3 2 1"),
                ([{"role": "user", "content": task}], "1 2 3"),
            ],
            scorers=["programmatic:sorting"],
        )
        rewards = [item.combined.reward for item in scored.items]
        # Exact: 1; cut off: half; "3 2 1" is two substitutions from "1 2 3": 1 - 2/3. A conversation scores by its task.
        for expected, actual in zip([1.0, 0.5, 1 / 3, 1 / 3, 1.0], rewards, strict=True):
            self.assertAlmostEqual(expected, actual, places=12)
        self.assertEqual({"sorting": 1.0}, dict(scored.items[4].by_scorer[0].heads))
        self.assertEqual("programmatic:sorting", scored.items[0].by_scorer[0].scorer_id)

    def test_an_item_with_both_prompts_is_refused_naming_the_field(self) -> None:
        item = reward_scoring_pb2.ScoreItem(
            prompt="sort 2 1 =", response="1 2", prompt_messages=[common_pb2.ChatMessage(role="user", content="sort 2 1 =")]
        )
        request = reward_scoring_pb2.ScoreRequest(items=[prefsuite.score_item("sort 2 1 =", "1 2"), item])
        error = error_of(lambda: self.client.scoring.Score(request, timeout=30))
        self.assertEqual(grpc.StatusCode.INVALID_ARGUMENT, error.code())
        self.assertIn("items[1].prompt_messages", error.details())

    def test_scorers_are_listed_with_the_default_marked(self) -> None:
        scorers = self.client.scoring.ListScorers(reward_scoring_pb2.ListScorersRequest(), timeout=30).scorers
        self.assertEqual(
            {"programmatic:sorting-simulated": True, "programmatic:sorting": False},
            {s.id: s.is_default for s in scorers},
        )
        self.assertEqual(["sorting"], list(next(s for s in scorers if s.id == "programmatic:sorting").heads))

    def test_a_score_stream_answers_each_batch_and_repeats_come_from_the_cache(self) -> None:
        tag = uuid.uuid4().hex  # responses no earlier test scored
        batch = [("sort 3 1 2 =", f"1 2 3 {tag}"), ("sort 5 4 =", f"4 {tag}")]
        first, second = list(self.client.score_stream([batch, batch], scorers=["programmatic:sorting"]))
        self.assertEqual((0, 2), (first.cache_hits, first.cache_misses))
        self.assertEqual((2, 0), (second.cache_hits, second.cache_misses))
        # One extra token: 1 - 1/4 and 1 - 1/2.
        self.assertEqual([0.75, 0.5], [i.combined.reward for i in first.items])
        self.assertEqual([0.75, 0.5], [i.combined.reward for i in second.items])

    # ------------------------------------------------------------------------------------------------- denoising

    def test_denoising_with_a_heavy_sparse_weight_keeps_a_clean_matrix_and_its_scores(self) -> None:
        w = [0.1, 0.5, 0.3, -0.2, 0.9]
        matrix = common_pb2.Matrix(rows=5, columns=5, values=[a - b for a in w for b in w])
        heavy = self.client.denoising.Denoise(
            denoising_pb2.DenoiseRequest(matrix=matrix, options=denoising_pb2.DenoiseOptions(sparse_weight=1.0)), timeout=60
        )
        default = self.client.denoising.Denoise(denoising_pb2.DenoiseRequest(matrix=matrix), timeout=60)
        # With weight 1 nothing is worth calling sparse: L = M, whose row means are w minus its mean.
        self.assertEqual((2, 0), (heavy.report.rank, heavy.report.flagged))
        mean = sum(w) / len(w)
        for expected, actual in zip([x - mean for x in w], heavy.scores, strict=True):
            self.assertAlmostEqual(expected, actual, places=6)
        # The default weight, 1/sqrt(5), moves part of so small a matrix into S: the option did reach the service.
        self.assertGreater(default.report.flagged, 0)

    def test_denoising_refuses_a_bad_tolerance_naming_the_field(self) -> None:
        request = denoising_pb2.DenoiseRequest(
            matrix=common_pb2.Matrix(rows=1, columns=1, values=[0]), options=denoising_pb2.DenoiseOptions(tolerance=2)
        )
        error = error_of(lambda: self.client.denoising.Denoise(request, timeout=30))
        self.assertEqual(grpc.StatusCode.INVALID_ARGUMENT, error.code())
        self.assertIn("options.tolerance", error.details())

    def test_denoise_prompt_gives_every_response_a_denoised_reward_in_the_same_order(self) -> None:
        unit = common_pb2.PromptUnit(run_id="py", prompt=prefsuite.prompt("q", "p"))
        for text, reward in (("a", 0.2), ("b", 0.9), ("c", -0.4), ("d", 0.5)):
            unit.responses.append(common_pb2.Response(text=text, reward=common_pb2.RewardVector(reward=reward)))
        answer = self.client.denoising.DenoisePrompt(unit, timeout=60)
        self.assertTrue(all(r.HasField("denoised_reward") for r in answer.responses))
        ranked = [r.text for r in sorted(answer.responses, key=lambda r: r.denoised_reward, reverse=True)]
        self.assertEqual(["b", "d", "a", "c"], ranked)
        self.assertTrue(answer.HasField("denoise"))

    # ------------------------------------------------------------------------------------------------- selection

    def test_selection_pairs_the_best_with_the_sweet_spot_and_keeps_conversations(self) -> None:
        unit = common_pb2.PromptUnit(run_id="py", prompt=prefsuite.prompt([("user", "q")], "p"))
        for text, reward in (("a", 0.5), ("b", 0.9), ("c", 0.1)):
            unit.responses.append(common_pb2.Response(text=text, reward=common_pb2.RewardVector(reward=reward)))
        answer = self.client.selection.SelectPairs(selection_pb2.SelectPairsRequest(prompts=[unit]), timeout=60)
        pair = answer.pairs[0]
        self.assertEqual(("b", "c"), (pair.chosen, pair.rejected))
        self.assertAlmostEqual(0.8, pair.margin, places=12)
        self.assertEqual([("user", "q")], [(m.role, m.content) for m in pair.prompt.messages])
        self.assertEqual((1, 1), (answer.summary.prompts, answer.summary.kept))

    # -------------------------------------------------------------------------------------------------- training

    def test_a_training_job_streams_its_steps_to_a_checkpoint(self) -> None:
        self.assertEqual(training_pb2.JOB_STATE_SUCCEEDED, self.job.state, self.job.error)
        self.assertEqual(training_pb2.JOB_STATE_SUCCEEDED, self.progress[-1].state)
        steps = [p.step for p in self.progress if p.state == training_pb2.JOB_STATE_RUNNING and p.step > 0]
        self.assertEqual(sorted(steps), steps)
        self.assertEqual(30, self.job.total_steps)
        self.assertEqual(30, self.job.step)
        self.assertTrue(all(p.loss > 0 for p in self.progress if p.step > 0 and p.state == training_pb2.JOB_STATE_RUNNING))
        self.assertGreaterEqual(len(self.policy), 12)
        again = self.client.training.StartJob(training_pb2.TrainRequest(job_id=self.job.job_id, demo_sft=True), timeout=30)
        self.assertEqual((self.job.job_id, self.policy), (again.job_id, again.checkpoint_version))  # idempotent by id
        missing = status_of(lambda: self.client.training.GetJob(training_pb2.JobRequest(job_id="no-such-job"), timeout=30))
        self.assertEqual(grpc.StatusCode.NOT_FOUND, missing)

    # -------------------------------------------------------------------------------------------------- sampling

    def test_sampling_is_seeded_and_streams_prompt_by_prompt(self) -> None:
        request = sampling_pb2.SampleRequest(
            prompts=[prefsuite.prompt("sort 3 1 2 =", "a"), prefsuite.prompt("sort 5 4 =", "b")],
            sampling=sampling_pb2.SamplingParams(n=3, temperature=1, seed=7, max_new_tokens=12),
            policy=common_pb2.PolicyRef(checkpoint=self.policy),
        )
        first = self.client.sampling.Sample(request, timeout=120)
        second = self.client.sampling.Sample(request, timeout=120)
        self.assertEqual(["a", "b"], [p.prompt.prompt_id for p in first.prompts])
        self.assertEqual(self.policy, first.policy_version)
        for sampled in first.prompts:
            self.assertEqual([0, 1, 2], [r.sample_index for r in sampled.responses])
            for response in sampled.responses:
                self.assertAlmostEqual(sum(response.token_logprobs), response.logprob, places=3)
                self.assertLessEqual(len(response.token_ids), 12)
        texts = [[r.text for r in p.responses] for p in first.prompts]
        self.assertEqual(texts, [[r.text for r in p.responses] for p in second.prompts])  # same seed, same answers
        streamed = list(self.client.sampling.SampleStream(request, timeout=120))
        self.assertEqual(["a", "b"], [p.prompt.prompt_id for p in streamed])
        self.assertEqual([3, 3], [len(p.responses) for p in streamed])

    def test_sampling_refuses_zero_samples_naming_the_field(self) -> None:
        request = sampling_pb2.SampleRequest(prompts=[prefsuite.prompt("sort 1 =", "p")], sampling=sampling_pb2.SamplingParams(n=0))
        error = error_of(lambda: self.client.sampling.Sample(request, timeout=30))
        self.assertEqual(grpc.StatusCode.INVALID_ARGUMENT, error.code())
        self.assertIn("sampling.n", error.details())

    # -------------------------------------------------------------------------------------------------- pipeline

    def test_a_run_goes_through_every_stage_and_its_pairs_stream_back(self) -> None:
        run_id = f"py-run-{uuid.uuid4().hex[:8]}"
        spec = pipeline_pb2.RunSpec(
            run_id=run_id,
            demo_prompts=6,
            demo_seed=3,
            sampling=sampling_pb2.SamplingParams(n=4, temperature=1, seed=2, max_new_tokens=12),
            policy=common_pb2.PolicyRef(checkpoint=self.policy),
            dataset=common_pb2.DatasetOptions(route_small_margins=True),
            training=training_pb2.TrainOptions(
                epochs=1, batch_size=4, ml_rdpo_lambda=0.5, losses=[training_pb2.LossTerm(kind=training_pb2.LOSS_KIND_ML_RDPO)]
            ),
        )
        submitted = self.client.submit_run(spec)
        self.assertEqual((6, 0), (submitted.prompt_count, len(submitted.spec.prompts)))  # a run does not echo its prompts
        self.assertEqual(run_id, self.client.submit_run(spec).run_id)  # idempotent by run_id

        messages = [event.message for event in self.client.watch_run(run_id, timeout=600)]
        run = self.client.wait_for_run(run_id, timeout=60)
        self.assertEqual(pipeline_pb2.RUN_STATE_SUCCEEDED, run.state, f"{run.error}; {messages[-5:]}")
        done = {s.stage: (s.done, s.total) for s in run.stages}
        for stage in ("sample", "score", "denoise", "select"):
            self.assertEqual((6, 6), done[stage], stage)
        self.assertEqual(0.5, run.spec.training.ml_rdpo_lambda)
        self.assertEqual(6, run.selection.prompts)
        self.assertNotIn(run.checkpoint_version, ("", self.policy))

        rows = list(self.client.export_run(run_id, "pairs"))
        self.assertEqual(run.selection.kept, len(rows))
        self.assertGreater(len(rows), 0)
        self.assertTrue(all(r["score_chosen"] >= r["score_rejected"] for r in rows))
        self.assertTrue(all(r["route"] in ("dpo", "sft") for r in rows))
        samples = list(self.client.export_run(run_id, "samples"))
        self.assertEqual(6, len(samples))
        self.assertEqual([4] * 6, [len(s["responses"]) for s in samples])
        listed = self.client.pipeline.ListRuns(pipeline_pb2.ListRunsRequest(limit=50), timeout=30)
        self.assertIn(run_id, [r.run_id for r in listed.runs])

    def test_a_streamed_run_takes_prompts_lazily_in_batches_and_is_the_run_sent_whole(self) -> None:
        run_id = f"py-stream-{uuid.uuid4().hex[:8]}"
        spec = pipeline_pb2.RunSpec(
            run_id=run_id,
            sampling=sampling_pb2.SamplingParams(n=4, seed=2),
            policy=common_pb2.PolicyRef(checkpoint=self.policy),
            prompts=[prefsuite.prompt("sort 4 2 =", "own")],
        )
        pairs = ((f"q{i}", "sort 3 1 2 =" if i % 2 else [("user", f"sort {i} 1 =")]) for i in range(40))
        run = self.client.submit_run_stream(spec, pairs, batch_bytes=200)  # several messages
        self.client.pipeline.CancelRun(pipeline_pb2.RunRequest(run_id=run_id), timeout=30)
        self.assertEqual((run_id, 41, 0), (run.run_id, run.prompt_count, len(run.spec.prompts)))

        whole = pipeline_pb2.RunSpec()
        whole.CopyFrom(spec)
        whole.prompts.extend(prefsuite.prompt(text, pid) for pid, text in
                             ((f"q{i}", "sort 3 1 2 =" if i % 2 else [("user", f"sort {i} 1 =")]) for i in range(40)))
        self.assertEqual(run_id, self.client.submit_run(whole).run_id)  # the same run, sent as one message
        whole.prompts[6].text = "sort 9 9 ="  # q5
        error = error_of(lambda: self.client.submit_run(whole))
        self.assertEqual(grpc.StatusCode.INVALID_ARGUMENT, error.code())
        self.assertIn("run_id", error.details())

    def test_a_run_nobody_submitted_is_not_found(self) -> None:
        code = status_of(lambda: self.client.get_run("py-no-such-run"))
        self.assertEqual(grpc.StatusCode.NOT_FOUND, code)


if __name__ == "__main__":
    unittest.main()
