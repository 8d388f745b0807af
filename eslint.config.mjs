import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Only the extension (src/extension) may import `vscode` or the extension's modules. */
const extensionOnly = {
  paths: [{ name: 'vscode', message: 'Only src/extension may import vscode; this code also runs outside VS Code.' }],
  patterns: [{ regex: '(^|/)(src/)?extension/', message: 'Import shared code from src/shared, src/protocol or src/engine, not from src/extension.' }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/engine/**', 'src/protocol/**', 'src/worker/**', 'src/cli/**', 'src/shared/**', 'webview/**'],
    rules: {
      'no-restricted-imports': ['error', extensionOnly],
    },
  },
);
