// Reads a language's snippets out of README.md and composes them into one app, so the scratch apps run exactly what
// the README shows: the construct sections' snippets, placed where the Languages section's app for that language
// says "the snippets of this README go here".
import { SECTIONS } from './versions.mjs';

const MARKER = /the snippets of this README go here/;

/** Every fenced code block of the markdown with its info string and the `## ` heading it sits under. */
function codeBlocks(markdown) {
  const blocks = [];
  let heading = '';
  let open;
  for (const line of markdown.split('\n')) {
    if (open) {
      if (line.startsWith('```')) {
        blocks.push(open);
        open = undefined;
      } else {
        open.lines.push(line);
      }
    } else if (line.startsWith('```')) {
      open = { heading, fence: line.slice(3).trim(), lines: [] };
    } else if (line.startsWith('## ')) {
      heading = line.slice(3).trim();
    }
  }
  return blocks.map((b) => ({ heading: b.heading, fence: b.fence, code: b.lines.join('\n') }));
}

/**
 * The README's app for the language (`fence`, e.g. `python`) and the snippets of each construct section, in
 * {@link SECTIONS} order. Throws when a section has no snippet for the language or the app has no marker line.
 */
export function readmeSnippets(markdown, fence) {
  const blocks = codeBlocks(markdown).filter((b) => b.fence === fence);
  const apps = blocks.filter((b) => b.heading === 'Languages' && MARKER.test(b.code));
  if (apps.length !== 1) throw new Error(`README.md: expected one ${fence} app in the Languages section with the marker line, found ${apps.length}`);
  const parts = SECTIONS.map((section) => {
    const found = blocks.filter((b) => b.heading === section);
    if (found.length === 0) throw new Error(`README.md: section ${section} has no ${fence} snippet`);
    return { section, code: found.map((b) => b.code).join('\n') };
  });
  return { app: apps[0].code, parts };
}

/** Splits `code` at the marker line: what comes before, its indentation, what comes after. */
function atMarker(app) {
  const lines = app.split('\n');
  const index = lines.findIndex((l) => MARKER.test(l));
  return { before: lines.slice(0, index), indent: lines[index].match(/^\s*/)[0], after: lines.slice(index + 1) };
}

function indented(code, indent) {
  return code.split('\n').map((l) => (l.trim() ? indent + l : l)).join('\n');
}

/** Python: snippets (imports included) run at the marker's level, in order. */
export function composePython({ app, parts }, probe) {
  const { before, indent, after } = atMarker(app);
  const bodies = [...parts.map((p) => `# ${p.section}\n${p.code}`), probe];
  return [...before, indented(bodies.join('\n\n'), indent), ...after].join('\n') + '\n';
}

/** Java: snippet imports join the app's, each snippet's statements run in a block of their own (own variable names). */
export function composeJava({ app, parts }, probe) {
  const { before, indent, after } = atMarker(app);
  const isImport = (l) => /^import [\w.*]+;$/.test(l.trim());
  const imports = new Set(parts.flatMap((p) => p.code.split('\n').filter(isImport).map((l) => l.trim())));
  const bodies = [...parts.map((p) => `// ${p.section}\n{\n${indented(p.code.split('\n').filter((l) => !isImport(l)).join('\n').trim(), '    ')}\n}`), probe];
  const lastImport = before.map(isImport).lastIndexOf(true);
  const head = [...before.slice(0, lastImport + 1), ...[...imports].filter((i) => !before.includes(i)), ...before.slice(lastImport + 1)];
  return [...head, indented(bodies.join('\n'), indent), ...after].join('\n') + '\n';
}

/** Go's import specs of a snippet (`alias "path"` or `"path"`) and its code without them. */
function splitGoImports(code) {
  const specs = [];
  const body = code
    .replace(/^import \(\n([\s\S]*?)\n\)\n?/m, (_, block) => {
      specs.push(...block.split('\n').map((l) => l.trim()).filter(Boolean));
      return '';
    })
    .replace(/^import ((?:\w+ )?"[^"]+")\n?/gm, (_, spec) => {
      specs.push(spec);
      return '';
    });
  return { specs, body: body.trim() };
}

/** Go: snippet imports join the app's import block, each snippet's statements run in a block of their own. */
export function composeGo({ app, parts }, probe) {
  const { before, indent, after } = atMarker(app);
  const snippets = [...parts.map((p) => ({ section: p.section, ...splitGoImports(p.code) })), { section: 'probe', ...splitGoImports(probe) }];
  const appImports = before.map((l) => l.trim());
  const close = before.findIndex((l, i) => l.trim() === ')' && before.slice(0, i).some((x) => x.startsWith('import (')));
  const extra = [...new Set(snippets.flatMap((s) => s.specs))].filter((spec) => !appImports.includes(spec));
  const head = [...before.slice(0, close), ...extra.map((spec) => `\t${spec}`), ...before.slice(close)];
  const bodies = snippets.map((s) => `// ${s.section}\n{\n${indented(s.body, '\t')}\n}`);
  return [...head, indented(bodies.join('\n'), indent), ...after].join('\n') + '\n';
}

/**
 * The directories the composed app reads: assets (`Code.from_asset("src/x")` and its Java and Go spellings) and model
 * directories (`ModelSource.from_directory("model")`).
 */
export function assetDirectories(source) {
  const pattern = /(?:from_asset|fromAsset|Code_FromAsset|from_directory|fromDirectory|ModelSource_FromDirectory)\((?:jsii\.String\()?"([^"]+)"/g;
  return [...new Set([...source.matchAll(pattern)].map((m) => m[1]))];
}

/** The entry files PatternNodejsFunction bundles (`entry="src/h.ts"`, `.entry("src/h.ts")`, `Entry: jsii.String("src/h.ts")`). */
export function entryFiles(source) {
  const pattern = /(?:entry=|\.entry\(|Entry: jsii\.String\()"([^"]+)"/g;
  return [...new Set([...source.matchAll(pattern)].map((m) => m[1]))];
}
