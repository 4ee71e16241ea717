import { addFluxEnvironment, runApp } from 'cdktf-flux';
import { production, staging } from './environments';

// Each environment is two stacks, <name>-flux-bootstrap and <name>-flux-sync. runApp validates
// the whole app before it writes anything into cdktf.out.
runApp(async (app) => {
  await addFluxEnvironment(app, staging);
  await addFluxEnvironment(app, production);
});
