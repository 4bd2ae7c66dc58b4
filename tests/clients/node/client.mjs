// A PrefSuite client in Node: loads protos/prefsuite/v1 at run time (@grpc/proto-loader), calls every service and
// prints what it got as JSON. Usage: node client.mjs PROTO_ROOT sampling=HOST:PORT scoring=… denoising=… selection=…
// training=… pipeline=…  (used by the integration tests; `npm ci` in this folder first).
import path from 'node:path';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const [protoRoot, ...pairs] = process.argv.slice(2);
const address = Object.fromEntries(pairs.map((p) => p.split('=')));
const files = ['common', 'sampling', 'reward_scoring', 'denoising', 'selection', 'training', 'pipeline']
  .map((f) => path.join('prefsuite', 'v1', `${f}.proto`));
const definition = protoLoader.loadSync(files, { includeDirs: [protoRoot], keepCase: true, longs: Number, enums: String, defaults: true });
const v1 = grpc.loadPackageDefinition(definition).prefsuite.v1;
const deadline = () => new Date(Date.now() + 30_000);

function call(client, method, request) {
  return new Promise((resolve, reject) => client[method](request, { deadline: deadline() }, (error, reply) => (error ? reject(error) : resolve(reply))));
}

async function code(promise) {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    return Object.keys(grpc.status).find((k) => grpc.status[k] === error.code);
  }
}

const insecure = grpc.credentials.createInsecure();
const scoring = new v1.RewardScoringService(address.scoring, insecure);
const denoising = new v1.DenoisingService(address.denoising, insecure);
const selection = new v1.SelectionService(address.selection, insecure);
const sampling = new v1.SamplingService(address.sampling, insecure);
const training = new v1.TrainingService(address.training, insecure);
const pipeline = new v1.PipelineService(address.pipeline, insecure);

const results = {};
const scored = await call(scoring, 'Score', {
  items: [{ prompt: 'sort 3 1 2 =', response: '1 2 3' }, { prompt: 'sort 3 1 2 =', response: '1 2 3', truncated: true }],
  scorers: ['programmatic:sorting'],
});
results.score_sorted = scored.items[0].combined.reward;
results.score_unfinished = scored.items[1].combined.reward;
results.scorers = (await call(scoring, 'ListScorers', {})).scorers.map((s) => s.id);

const w = [0.1, 0.5, 0.3, -0.2, 0.9];
const denoised = await call(denoising, 'Denoise', { matrix: { rows: 5, columns: 5, values: w.flatMap((a) => w.map((b) => a - b)) } });
results.denoise_rank = denoised.report.rank;

const unit = {
  run_id: 'node',
  prompt: { prompt_id: 'p', text: 'q' },
  responses: [['a', 0.5], ['b', 0.9], ['c', 0.1]].map(([text, reward]) => ({ text, reward: { reward } })),
};
const selected = await call(selection, 'SelectPairs', { prompts: [unit] });
results.selected_chosen = selected.pairs[0].chosen;
results.selected_rejected = selected.pairs[0].rejected;

results.sampling_error = await code(call(sampling, 'Sample', { prompts: [{ prompt_id: 'p', text: 'sort 1 =' }], sampling: { n: 0 } }));
results.training_missing_job = await code(call(training, 'GetJob', { job_id: 'no-such-job' }));
results.pipeline_runs = (await call(pipeline, 'ListRuns', { limit: 10 })).runs.length;

console.log(JSON.stringify(results));
for (const client of [scoring, denoising, selection, sampling, training, pipeline]) client.close();
