// Validates Argo Rollouts objects (JSON files, one object or a list each) against Argo
// Rollouts' own schemas, as @kubernetes-models/argo-rollouts ships them, and strictly: a
// field the schema does not know is an error too (the generated validators ignore unknown
// fields, so every field the validator never looked at is reported). Exit status: 0 all
// valid, 1 any invalid, 2 could not run. Used by tests/integration/test_kubernetes_render.py.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const SCHEMAS = {
  Rollout: "ComGithubArgoprojArgoRolloutsPkgApisRolloutsV1alpha1Rollout.js",
  AnalysisTemplate: "ComGithubArgoprojArgoRolloutsPkgApisRolloutsV1alpha1AnalysisTemplate.js",
};

const require = createRequire(import.meta.url);
const root = dirname(require.resolve("@kubernetes-models/argo-rollouts/package.json"));

// Which keys of which object the validator read.
function watched(value, seen) {
  if (value === null || typeof value !== "object") return value;
  if (!seen.has(value)) seen.set(value, new Set());
  return new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key === "string" && Object.hasOwn(target, key)) seen.get(target).add(key);
      return watched(Reflect.get(target, key, receiver), seen);
    },
    has(target, key) {
      if (typeof key === "string") seen.get(target).add(key);
      return Reflect.has(target, key);
    },
  });
}

function unread(value, seen, path, found) {
  if (value === null || typeof value !== "object") return found;
  for (const [key, child] of Object.entries(value)) {
    const where = `${path}/${key}`;
    if (!Array.isArray(value) && !seen.get(value)?.has(key)) found.push(where);
    else unread(child, seen, where, found);
  }
  return found;
}

async function validate(object) {
  const file = SCHEMAS[object?.kind];
  if (!file || object.apiVersion !== "argoproj.io/v1alpha1") {
    return [`not an Argo Rollouts Rollout or AnalysisTemplate: ${object?.apiVersion} ${object?.kind}`];
  }
  const { validate: check } = await import(pathToFileURL(join(root, "_schemas", file)).href);
  const seen = new WeakMap();
  if (!check(watched(object, seen))) {
    return check.errors.map((e) => `${e.instancePath || "/"}: ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
  }
  return unread(object, seen, "", []).map((path) => `${path}: unknown field`);
}

let failed = false;
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node validate.mjs FILE.json...");
  process.exit(2);
}
for (const path of files) {
  const document = JSON.parse(readFileSync(path, "utf8"));
  for (const object of Array.isArray(document) ? document : [document]) {
    const problems = await validate(object);
    const name = `${object?.kind}/${object?.metadata?.name} (${path})`;
    if (problems.length) {
      failed = true;
      console.log(`INVALID ${name}`);
      for (const problem of problems) console.log(`  ${problem}`);
    } else {
      console.log(`VALID ${name}`);
    }
  }
}
process.exit(failed ? 1 : 0);
