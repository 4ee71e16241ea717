import { addFluxEnvironment, runApp } from './stacks';
import { dev } from './environments';

runApp(async (app) => {
  await addFluxEnvironment(app, dev);
});
