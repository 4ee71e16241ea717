import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { App, TerraformVariable, Testing } from 'cdktf';
import { addFluxEnvironment } from '../../stacks';
import { literalString, literalValue, strayTemplates } from '../../lib/terraform-literal';
import { EnvironmentSettings } from '../../settings';
import { buildEveryField } from '../support/every-field';
import { manifests } from '../support/manifests';
import { synthRaw, testStack } from '../support/synth';

/** Every string of a JSON value, keys included. */
function strings(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, into));
  else if (value && typeof value === 'object')
    Object.entries(value).forEach(([k, v]) => (into.push(k), strings(v, into)));
  return into;
}

describe('literal text in Terraform JSON', () => {
  test('escapes interpolations and directives, and keeps cdktf tokens', () => {
    const variable = new TerraformVariable(testStack(), 'x', {});
    assert.equal(literalString('${var:=default} %{if} $${kept}'), '$${var:=default} %%{if} $$${kept}');
    const token = variable.stringValue;
    assert.equal(literalString(`a ${token} \${b}`), `a ${token} $\${b}`);
    assert.deepEqual(literalValue({ '${k}': ['${v}', 1, true, null] }), { '$${k}': ['$${v}', 1, true, null] });
  });

  test('finds the sequences Terraform would evaluate, and only those', () => {
    assert.deepEqual(strayTemplates('e.g. ${var:=default}, ${var/a/b} and %{ if x }'), [
      '${var:=default}',
      '${var/a/b}',
      '%{ if x }',
    ]);
    assert.deepEqual(
      strayTemplates(
        '$${var:=default} %%{ if } ${var.github_org}/${tls_private_key.k_1.public_key_openssh} ' +
          '${data.github_repository.r.name}',
      ),
      [],
    );
    assert.deepEqual(
      strayTemplates('${fileexists(pathexpand(var.kubeconfig_path))} ${self.node_id != null && self.node_id != ""}'),
      [],
    );
    assert.deepEqual(strayTemplates('${cluster_env} ${var} ${var:position}'), [
      '${cluster_env}',
      '${var}',
      '${var:position}',
    ]);
  });

  // Hermetic: what `tofu plan` would refuse with "Extra characters after interpolation
  // expression", for every Flux version and component set we ship and every typed field.
  const versions: [string, string][] = [
    ['v2.6.4', 'v2.6.4'],
    ['v2.7.5', 'v2.7.5'],
    ['v2.8.8', 'v2.8.8'],
    ['v2.9.3', 'v2.9.3'],
    ['v2.9.4', 'v2.9.4'],
    ['v2.9.3', 'v2.9.3-image-automation'],
    ['v2.9.4', 'v2.9.4-image-automation'],
  ];
  for (const [version, directory] of versions) {
    test(`leaves no template sequence but our references in either stack of ${directory}`, async () => {
      const outdir = Testing.app().outdir;
      const settings: EnvironmentSettings[] = [
        { name: 'dev', fluxVersion: version, manifestsPath: manifests(version, directory).origin },
        {
          name: 'options',
          kubeContext: 'options',
          fluxVersion: version,
          manifestsPath: manifests(version, directory).origin,
          adopt: true,
          encryptState: true,
          gitAuth: { type: 'https-token' },
          install: { namespace: 'flux-options', logLevel: 'debug', networkPolicy: false },
        },
      ];
      const app = new App({ outdir });
      for (const s of settings) await addFluxEnvironment(app, s);
      app.synth();
      for (const stack of ['dev-flux-bootstrap', 'dev-flux-sync', 'options-flux-bootstrap', 'options-flux-sync']) {
        const json = JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
        const stray = strings(json).flatMap(strayTemplates);
        assert.deepEqual(stray, [], `${stack}: Terraform would evaluate these`);
      }
    });
  }

  test('leaves no template sequence in an object with every typed field', () => {
    const stack = testStack();
    buildEveryField(stack, manifests());
    assert.deepEqual(strings(synthRaw(stack)).flatMap(strayTemplates), []);
  });
});
