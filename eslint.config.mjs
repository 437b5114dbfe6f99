// ESLint flat config: typescript-eslint's recommended rules plus Pulumi's rules for Outputs.
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "bin/**",
      ".kubestead/**",
      "coverage/**",
      ".stryker-tmp*/**",
      "reports/**",
      "policy/node_modules/**",
      "**/*.js",
      "**/*.mjs",
    ],
  },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-require-imports": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
    },
  },
  {
    // Layering: bootstrap/ and lib/ are pure (no Pulumi SDK, so most tests never load it), and no
    // production code reaches into the offline tools.
    files: ["bootstrap/**/*.ts", "lib/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@pulumi/*"],
              message: "bootstrap/ and lib/ are pure: take plain values; Pulumi belongs in components/ and stacks/.",
            },
            { group: ["**/tools/*", "**/tools/**"], message: "production code must not import the offline tools." },
          ],
        },
      ],
    },
  },
  {
    // The program imports provider SDKs by service module (`@pulumi/aws/ec2`, part of each SDK's
    // published layout): the whole of @pulumi/aws is ~340 modules, loaded by every plan for nothing.
    files: ["components/**/*.ts", "stacks/**/*.ts", "policy/**/*.ts", "index.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "@pulumi/aws", message: 'import the service module instead, e.g. `import * as ec2 from "@pulumi/aws/ec2"`.' },
            {
              name: "@pulumi/kubernetes",
              message: 'import the module instead, e.g. `import { Release } from "@pulumi/kubernetes/helm/v3/release"`.',
            },
          ],
          patterns: [{ group: ["**/tools/*", "**/tools/**"], message: "production code must not import the offline tools." }],
        },
      ],
    },
  },
  {
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-non-null-assertion": "off" },
  },
);
