import { EnvironmentSettings } from 'cdktf-flux';

// The team's environments: its own GitHub organization and repository, which the library leaves
// to each app. main.ts adds them to the app.

/** What every environment of the team shares: the repository Flux syncs from. */
const team = { githubOrg: 'mark-icy', githubRepository: 'infra-new' } satisfies Partial<EnvironmentSettings>;

/** The environment the team's HCL bootstrapped, reproduced. */
export const dev: EnvironmentSettings = { name: 'dev', ...team };
