import { DataGithubRepositoryDeployKeys } from '@cdktf/provider-github/lib/data-github-repository-deploy-keys';
import { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { checkProps, fieldsOf, provider, required, string } from '../lib/shape';

/** Props of {@link GitHubAccessCheck}. */
export interface GitHubAccessCheckProps {
  /** The repository's name; the owner is the github provider's. */
  readonly repository: string;
  /**
   * The github provider configuration the repository is read with, for a stack with more than one.
   * @default - the stack's default github provider
   */
  readonly provider?: TerraformProvider;
}

const GITHUB_ACCESS_CHECK_PROPS = fieldsOf<GitHubAccessCheckProps>()({ repository: required(string()), provider });

/**
 * Lists the repository's deploy keys at plan time, which takes what creating one takes (a token
 * with admin rights on the repository), so a token GitHub refuses (401) or a repository it cannot
 * see (404) stops the run before anything is created. Without it, the github provider configures
 * without complaint and the first GitHub call comes in the middle of the apply, after the Flux
 * install and the Secret holding a key GitHub never received. (The provider's `github_repository`
 * data source would be the obvious read, but integrations/github 6.9.0 crashes on any error there.)
 */
export class GitHubAccessCheck extends Construct {
  /** The repository's name, once checked: referencing it orders a resource after the check. */
  public readonly repository: string;

  constructor(scope: Construct, id: string, props: GitHubAccessCheckProps) {
    super(scope, id);
    checkProps(this.node.path, 'GitHubAccessCheck', GITHUB_ACCESS_CHECK_PROPS, props);
    this.repository = new DataGithubRepositoryDeployKeys(this, 'deploy-keys', {
      repository: props.repository,
      provider: props.provider,
    }).repository;
  }
}
