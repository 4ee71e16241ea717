import { App } from 'cdktf';
import { addFluxEnvironment, discardOutput, synthApp } from './stacks';
import { dev } from './variables';

async function main(app: App): Promise<void> {
  await addFluxEnvironment(app, dev);
  synthApp(app);
}

const app = new App();
main(app).catch((error: Error) => {
  // Whatever stage failed, leave nothing a later `deploy --skip-synth` could mistake for this run.
  discardOutput(app.outdir);
  console.error(error.message);
  process.exit(1);
});
