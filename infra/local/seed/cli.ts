/**
 * `npm run seed`: fills the running local platform (`npm start`) with the demo institution,
 * through its HTTP API. PORT and DANGJIAN_DATA_DIR as for `npm start`; DANGJIAN_URL to aim
 * elsewhere. Safe to run again: what is there already is found, not created twice.
 * Progress goes to stderr, the summary to stdout.
 */
import { UnexpectedAnswer } from './client.js';
import { untilDelivered } from './delivered.js';
import { demoScale, seedInstitution } from './institution.js';
import { createProgressReporter } from './progress.js';
import { elsewhereHint, runtimeTarget } from './target.js';
import { readPrior, recordPhase } from './timings.js';

const target = runtimeTarget();
const { url, dataDir } = target;

let saving = Promise.resolve();
const progress = createProgressReporter({
  write: (text) => process.stderr.write(text),
  tty: process.stderr.isTTY === true,
  columns: process.stderr.columns,
  now: () => Date.now(),
  prior: await readPrior(dataDir),
  onPhaseEnd: (phase, created) => {
    // One write at a time: two phases ending close together must not lose one's figures.
    const ended = { ...phase };
    saving = saving.then(() => recordPhase(dataDir, ended, created));
  },
});

const main = async () => {
  try {
    const res = await fetch(`${url}/health`);
    if (!res.ok) throw new Error(`health answered ${res.status}`);
  } catch (error) {
    const hint = await elsewhereHint(target);
    console.error(
      `seed: the platform does not answer at ${url}/health (${error instanceof Error ? error.message : String(error)}).\n` +
        (hint ? `${hint}.\n` : '') +
        'Start it first in another terminal: npm start (with the same PORT and DANGJIAN_DATA_DIR).',
    );
    process.exit(1);
  }
  const started = Date.now();
  // A slow item (an upload being checked) must not look like a hang between progress lines.
  const ticker = setInterval(() => progress.tick(), 1000);
  ticker.unref();
  const summary = await seedInstitution({ url, dataDir, scale: demoScale, progress });
  clearInterval(ticker);
  await saving;
  let told = 0;
  const delivered = await untilDelivered(url, {
    onWait: (inFlight) => {
      if (Date.now() - told < 5_000) return;
      told = Date.now();
      console.error(`seed: the platform is still delivering what the seed set off (${inFlight} in flight)`);
    },
  });
  if (!delivered.caughtUp) {
    console.error(
      `seed: ${delivered.inFlight} deliveries still in flight after ${Math.round(delivered.waitedMs / 1000)} s; timelines, calendars and inboxes fill in as they arrive (npm run dead-letters lists any that failed)`,
    );
  }
  const created = Object.entries(summary.created)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`);
  const secretary = summary.branches[0];
  const member = summary.people.find(
    (p) =>
      p.branchId === secretary?.branchId &&
      p.politicalStatus === 'full' &&
      p.personId !== secretary?.secretaryId,
  );
  console.log(`demo data ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${url}
  created      ${created.length > 0 ? created.join(', ') : 'nothing (everything was there already)'}
  branches     ${[...summary.branches, summary.retiredBranch].map((b) => `${b.name} ${b.branchId}`).join('\n               ')}
  people       ${summary.people.length} in the branches, each with a sign-in account (an e-mail at example.cn)
  组织关系     ${summary.lifecycle.transferredOut.length} transferred out, 1 transferred in (${summary.lifecycle.transferredIn.personId}), ${summary.lifecycle.retired.length} retired into ${summary.retiredBranch.name}
  activities   ${summary.activityIds.length} held   rooms ${summary.roomIds.length}   resources ${summary.resourceIds.length}   assessments ${summary.assessmentIds.length}
  partners     ${summary.partnerIds.join(', ')}
  joint events ${summary.jointEventIds.join(', ')}
  try          TOKEN=$(npm run -s token -- --person ${summary.committeeId})      (党委书记, committee)
               curl -s -H "authorization: Bearer $TOKEN" ${url}/talent/insights/age-structure?branchId=${summary.branches[1]?.branchId}
  a secretary  npm run -s token -- --person ${secretary?.secretaryId}
  a member     npm run -s token -- --person ${member?.personId}`);
};

main().catch((error: unknown) => {
  progress.close();
  if (error instanceof UnexpectedAnswer) console.error(`seed: unexpected answer: ${error.message}`);
  else console.error(`seed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
