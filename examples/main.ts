// main.ts with the staging environment added, as the README shows it; the compiler checks this
// file (the tests never load it: like main.ts, it synthesizes when run).
import { addFluxEnvironment, runApp } from 'cdktf-flux';
import { dev } from '../environments';
import { staging } from './environments';

runApp(async (app) => {
  await addFluxEnvironment(app, dev);
  await addFluxEnvironment(app, staging);
});
