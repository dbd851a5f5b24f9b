import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The dependency direction DESIGN.md promises, checked on the sources: api -> application ->
 * domain; infrastructure implements application's ports; projections read domain events. A
 * new import that breaks it fails here, naming the file and what it imported.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const LAYERS = ['domain', 'application', 'projections', 'infrastructure', 'api'] as const;
type Layer = (typeof LAYERS)[number];

/** What each layer may import from the project; packages are judged separately. */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  domain: ['domain'],
  application: ['application', 'domain'],
  projections: ['projections', 'application', 'domain'],
  infrastructure: ['infrastructure', 'projections', 'application', 'domain'],
  api: ['api', 'projections', 'application', 'domain'],
};

const sourcesUnder = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourcesUnder(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );

type SourceFile = { file: string; layer: Layer; text: string; imports: { specifier: string; target: string | null }[] };

const files: SourceFile[] = LAYERS.flatMap((layer) =>
  sourcesUnder(layer).map((file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const imports = ts.preProcessFile(text, true, true).importedFiles.map(({ fileName: specifier }) => ({
      specifier,
      // The compiled name ends in .js; the source beside it in .ts.
      target: specifier.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), specifier)).replace(/\.js$/, '.ts') : null,
    }));
    return { file, layer, text, imports };
  }),
);

/**
 * Packages the domain may use: all are pure computation, no I/O and no clock. zod states the shapes;
 * re2js runs banned-claim patterns in time linear in the statement, which the JavaScript engine cannot promise;
 * opencc-js turns traditional characters into simplified ones, so a claim written in 繁體 is still found.
 */
const DOMAIN_PACKAGES: readonly string[] = ['zod', 're2js', 'opencc-js'];
/** A package's name, without the path into it (opencc-js/core is opencc-js). */
const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

const layerOf = (path: string) => LAYERS.find((layer) => path.startsWith(`${layer}/`));

describe('the layers', () => {
  it('import only inward: api -> application -> domain, infrastructure and projections never api', () => {
    const breaches = files.flatMap(({ file, layer, imports }) =>
      imports.flatMap(({ target }) => {
        const into = target && layerOf(target);
        return into && !MAY_IMPORT[layer].includes(into) ? [`${file} imports ${target}`] : [];
      }),
    );
    expect(breaches).toEqual([]);
  });

  it('keep the domain pure: no package but zod, re2js and opencc-js, nothing of Node', () => {
    const breaches = files
      .filter(({ layer }) => layer === 'domain')
      .flatMap(({ file, imports }) => imports.filter(({ specifier, target }) => target === null && !DOMAIN_PACKAGES.includes(packageOf(specifier))).map(({ specifier }) => `${file} imports ${specifier}`));
    expect(breaches).toEqual([]);
  });

  it('have no import cycles among their files', () => {
    const graph = new Map(files.map(({ file, imports }) => [file, imports.flatMap(({ target }) => (target && layerOf(target) ? [target] : []))]));
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'visiting');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });
});

describe('command handling', () => {
  it('goes through the command services: nothing outside application/commands calls the pipeline', () => {
    const callers = files.filter(({ file, text }) => !file.startsWith('application/commands/') && /\bpipeline\.handle\(/.test(text)).map(({ file }) => file);
    expect(callers).toEqual([]);
  });

  it('keeps deciders out of the routes: a route parses, calls a service and answers', () => {
    const breaches = files
      .filter(({ file }) => file.startsWith('api/'))
      .flatMap(({ file, text }) => [...text.matchAll(/import\s*{([^}]*)}\s*from\s*'[^']*domain\/[^']*'/g)].flatMap((match) =>
        match[1]!.split(',').map((name) => name.trim()).filter((name) => /(Decider|Aggregate|decide)$/.test(name)).map((name) => `${file} imports ${name}`),
      ));
    expect(breaches).toEqual([]);
  });
});
