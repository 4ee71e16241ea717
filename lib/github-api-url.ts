/**
 * The REST API a github provider `base_url` (or `gitHost.apiUrl`) stands for, with the rule of
 * integrations/github 6.9 (config.go): any host but github.com's API and *.ghe.com's is a GitHub
 * Enterprise Server, whose API is under /api/v3/. Ends with `/`.
 */
export function githubApiUrl(baseUrl: string): string {
  const base = new URL(baseUrl);
  if (base.hostname !== 'api.github.com' && !/\.ghe\.com$/.test(base.hostname))
    base.pathname = `${base.pathname.replace(/\/$/, '')}/api/v3`;
  return `${base.href.replace(/\/$/, '')}/`;
}
