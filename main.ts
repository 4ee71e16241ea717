import { App } from 'cdktf';
import { addFluxEnvironment, synthApp } from './stacks';
import { dev } from './variables';

async function main(): Promise<void> {
  const app = new App();
  await addFluxEnvironment(app, dev);
  synthApp(app);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
