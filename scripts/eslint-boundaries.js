// A lint rule for boundaries between folders, judged on where an import lands rather than how its specifier is
// spelled: `../client/client.js` from providers/twin/workflows/ and `../providers/twin/client/client.js` from
// workflows/ reach the same file, and a specifier glob sees only one of them. Each zone names the folders a file
// may not import from (paths from the repository root), what is exempt, and whether `import type` is allowed.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** @type {import('eslint').Rule.RuleModule} */
const importBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid imports that land in a folder this file may not reach.' },
    schema: [{ type: 'array' }],
  },
  create(context) {
    const zones = context.options[0] ?? [];
    const check = (node, typeOnly) => {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = path
        .relative(ROOT, path.resolve(path.dirname(context.filename), source))
        .split(path.sep)
        .join('/');
      for (const zone of zones) {
        if (!zone.from.test(target) || zone.except?.test(target)) continue;
        if (typeOnly && zone.allowTypeImports) continue;
        context.report({ node: node.source, message: `${target}: ${zone.message}` });
      }
    };
    const typeOnly = (node) =>
      node.importKind === 'type' ||
      node.exportKind === 'type' ||
      (node.specifiers?.length > 0 &&
        node.specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type'));
    return {
      ImportDeclaration: (node) => check(node, typeOnly(node)),
      ExportNamedDeclaration: (node) => check(node, typeOnly(node)),
      ExportAllDeclaration: (node) => check(node, node.exportKind === 'type'),
      ImportExpression: (node) => check(node, false),
    };
  },
};

export default { rules: { 'import-boundaries': importBoundaries } };
