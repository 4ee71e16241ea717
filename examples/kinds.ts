// More Flux kinds beside the sync objects, as the README's table of kinds shows them; the compiler
// checks this file, and a test checks that the README quotes it verbatim and what it synthesizes.
import { Bucket, FluxSyncStack, HelmChart, ImagePolicy, ImageRepository, ImageUpdateAutomation } from 'cdktf-flux';

// A chart packaged from a bucket, as an artifact a HelmRelease installs with chartRef.
export function addBucketChart(sync: FluxSyncStack): HelmChart {
  const bucket = new Bucket(sync, 'charts', {
    bucketName: 'charts',
    endpoint: 'minio.example.com',
    provider: 'generic',
  });
  return new HelmChart(sync, 'podinfo-chart', { chart: './podinfo', sourceRef: bucket });
}

// Image automation (install: { componentsExtra: ['image-reflector-controller', 'image-automation-controller'] }):
// the newest 1.x tag of an image, committed to the environment's repository and pushed to main.
export function addImageAutomation(sync: FluxSyncStack): ImageUpdateAutomation {
  if (!sync.gitRepository) throw new Error('image automation pushes to git; this environment syncs from OCI');
  const repository = new ImageRepository(sync, 'podinfo-image', { image: 'ghcr.io/stefanprodan/podinfo' });
  new ImagePolicy(sync, 'podinfo-policy', { imageRepositoryRef: repository, policy: { semver: { range: '1.x' } } });
  return new ImageUpdateAutomation(sync, 'flux-system-images', {
    sourceRef: sync.gitRepository,
    git: { commit: { author: { email: 'fluxcdbot@users.noreply.github.com' } }, push: { branch: 'main' } },
    update: { path: './apps', strategy: 'Setters' },
  });
}
