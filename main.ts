import { addFluxEnvironment, runApp } from 'cdktf-flux';
import { dev } from './environments';

runApp(async (app) => {
  await addFluxEnvironment(app, dev);
});
