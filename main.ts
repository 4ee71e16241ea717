import { addFluxEnvironment, runApp } from './stacks';
import { dev } from './variables';

runApp(async (app) => {
  await addFluxEnvironment(app, dev);
});
