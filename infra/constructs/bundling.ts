/**
 * How every function is bundled, in one place and free of CDK's runtime code: the CDK
 * construct (lambda.ts) hands it to NodejsFunction, and the local runtime's build
 * (infra/local/bundles.ts) hands the same options to esbuild, so `npm start` runs what deploys.
 */
import type { BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/** Bundling shared by every function: esbuild on this machine, never Docker. */
export const bundlingOptions: BundlingOptions = {
  minify: true,
  sourceMap: true,
  target: 'node22',
  // OutputFormat.ESM, named by its value: importing the enum would load CDK.
  format: 'esm' as OutputFormat.ESM,
  // The SDK goes into the bundle: the code runs with the versions it was tested with.
  externalModules: [],
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies still call require(); ESM bundles need it provided.
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  forceDockerBundling: false,
};
