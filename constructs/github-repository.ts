import { DataGithubRepository } from '@cdktf/provider-github/lib/data-github-repository';
import { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';

/** Props of {@link GitHubRepository}. */
export interface GitHubRepositoryProps {
  /** The GitHub organization or user owning the repository. */
  readonly owner: string;
  /** The repository's name. */
  readonly repository: string;
  /** @default - the stack's default github provider */
  readonly provider?: TerraformProvider;
}

/**
 * Reads the repository at plan time, so that a token GitHub refuses (401), or a repository it
 * cannot see, stops the run before anything is created. Without this, the github provider
 * configures without complaint and the first GitHub call comes in the middle of the apply,
 * after the Flux install and the Secret holding a key GitHub never received.
 */
export class GitHubRepository extends Construct {
  /** The repository's name, read from GitHub: depending on it orders a resource after the check. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: GitHubRepositoryProps) {
    super(scope, id);
    const fullName = `${props.owner}/${props.repository}`;
    const repository = new DataGithubRepository(this, 'repository', {
      fullName,
      provider: props.provider,
      lifecycle: {
        postcondition: [
          {
            // The provider answers a missing repository with empty attributes, not an error.
            condition: '${self.node_id != null && self.node_id != ""}',
            errorMessage: `GitHub repository ${fullName} does not exist or the token cannot read it; check github_org and github_repository, and that GITHUB_TOKEN may read the repository and manage its deploy keys`,
          },
        ],
      },
    });
    this.name = repository.name;
  }
}
