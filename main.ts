import { addFluxEnvironment, runApp } from './stacks';
import { dev } from './settings';

runApp(async (app) => {
  await addFluxEnvironment(app, dev);
});
