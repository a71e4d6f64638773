import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';
import { createGenerator, type Schema } from 'ts-json-schema-generator';
import ts from 'typescript';
import { COMMANDS, SF_TOPIC } from '../cli.ts';
import { PACKAGE_NAME } from '../shared/messages.ts';
import { readRegistry } from './command-tree.ts';

// The --json contract of the sf plugin, pinned as salesforcecli/plugin-deploy-retrieve pins its
// own: command-snapshot.json (every command id and its flags, with their types and short chars)
// and schemas/<id>.json (a JSON schema of each command's `result`, generated with
// ts-json-schema-generator from the result type the command file exports). test/cli/
// json-contract.test.ts fails when a command, a flag or a result type changes without these
// files; `npm run snapshot:update` writes them again, and the diff shows what changed for users.
//
// A result type belongs to the command layer: it and every type it names are declared in
// scripts/commands, or in the leaves scripts/contracts and scripts/shared. A type from a core
// module (org, relay, tethr, validate) would let a change there alter the --json output unseen.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SNAPSHOT_FILE = join(ROOT, 'command-snapshot.json');
export const SCHEMAS_DIR = join(ROOT, 'schemas');
const RESULT_TYPE_HOMES = ['commands', 'contracts', 'shared'].map((dir) => join(ROOT, 'scripts', dir) + sep);

export interface FlagSnapshot {
  type: 'boolean' | 'option';
  char?: string;
  multiple?: true;
  options?: string[];
}

export interface CommandSnapshot {
  command: string;
  plugin: string;
  alias: string[];
  flags: Record<string, FlagSnapshot>;
}

interface FlagLike {
  type: 'boolean' | 'option';
  char?: string;
  multiple?: boolean;
  options?: readonly string[];
}

interface CommandLike {
  aliases?: string[];
  enableJsonFlag?: boolean;
  baseFlags?: Record<string, FlagLike>;
  flags?: Record<string, FlagLike>;
}

export function sfCommandId(id: string): string {
  return `${SF_TOPIC}:${id}`;
}

/** Every command under its sf id, with its flags (sf-plugins-core's --json and --flags-dir included). */
export function commandSnapshot(): CommandSnapshot[] {
  return Object.entries(COMMANDS as Record<string, CommandLike>)
    .map(([id, command]) => {
      const flags: Record<string, FlagLike> = {
        ...command.baseFlags,
        // oclif adds --json to commands that enable it (every SfCommand), outside baseFlags.
        ...(command.enableJsonFlag ? { json: { type: 'boolean' as const } } : {}),
        ...command.flags
      };
      return {
        command: sfCommandId(id),
        plugin: PACKAGE_NAME,
        alias: [...(command.aliases ?? [])].sort(),
        flags: Object.fromEntries(
          Object.keys(flags)
            .sort()
            .map((name) => {
              const flag = flags[name]!;
              const snapshot: FlagSnapshot = { type: flag.type };
              if (flag.char) snapshot.char = flag.char;
              if (flag.multiple) snapshot.multiple = true;
              if (flag.options) snapshot.options = [...flag.options].sort();
              return [name, snapshot];
            })
        )
      };
    })
    .sort((a, b) => a.command.localeCompare(b.command));
}

function program(): ts.Program {
  const configPath = join(ROOT, 'tsconfig.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      }
    }
  );
  if (!parsed) throw new Error(`Cannot read ${configPath}.`);
  return ts.createProgram({ rootNames: [join(ROOT, 'scripts', 'cli.ts')], options: parsed.options });
}

type ResultDeclaration = ts.InterfaceDeclaration | ts.TypeAliasDeclaration;

/** The type `run()` promises, as the command file declares and exports it. */
function resultDeclaration(checker: ts.TypeChecker, file: ts.SourceFile, id: string): ResultDeclaration {
  const where = relative(ROOT, file.fileName);
  const commandClass = file.statements.find(
    (s): s is ts.ClassDeclaration =>
      ts.isClassDeclaration(s) &&
      (ts.getCombinedModifierFlags(s) & ts.ModifierFlags.ExportDefault) === ts.ModifierFlags.ExportDefault
  );
  if (!commandClass) throw new Error(`${where}: no default-exported command class (command ${id}).`);
  const run = commandClass.members.find(
    (m): m is ts.MethodDeclaration =>
      ts.isMethodDeclaration(m) && ts.isIdentifier(m.name) && m.name.text === 'run'
  );
  const promised = run?.type;
  const inner =
    promised && ts.isTypeReferenceNode(promised) && promised.typeName.getText(file) === 'Promise'
      ? promised.typeArguments?.[0]
      : undefined;
  if (!inner || !ts.isTypeReferenceNode(inner) || !ts.isIdentifier(inner.typeName))
    throw new Error(
      `${where}: run() must be declared \`run(): Promise<SomeResult>\` with a named result type.`
    );
  const symbol = checker.getSymbolAtLocation(inner.typeName);
  const declaration = symbol?.declarations?.[0];
  if (
    !declaration ||
    declaration.getSourceFile() !== file ||
    !(ts.isInterfaceDeclaration(declaration) || ts.isTypeAliasDeclaration(declaration)) ||
    !(ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Export)
  )
    throw new Error(
      `${where}: ${inner.typeName.text}, the result of ${id}, must be an interface or type exported by the command file itself.`
    );
  return declaration;
}

/** Every type a result names must live in the command layer or a leaf (see the header). */
function assertCommandLayerTypes(checker: ts.TypeChecker, root: ResultDeclaration): void {
  const seen = new Set<ts.Node>();
  const visit = (declaration: ts.Node, path: string): void => {
    if (seen.has(declaration)) return;
    seen.add(declaration);
    const file = declaration.getSourceFile().fileName;
    if (file.includes(`${sep}node_modules${sep}`) || !file.startsWith(join(ROOT, 'scripts'))) return;
    if (!RESULT_TYPE_HOMES.some((home) => file.startsWith(home)))
      throw new Error(
        `${path} is declared in ${relative(ROOT, file)}, a core module: declare the result's types in the command file (scripts/commands), so that core changes cannot change the --json output unseen.`
      );
    const walk = (node: ts.Node): void => {
      if (
        ts.isTypeReferenceNode(node) ||
        ts.isExpressionWithTypeArguments(node) ||
        ts.isTypeQueryNode(node)
      ) {
        const name = ts.isTypeReferenceNode(node)
          ? node.typeName
          : ts.isTypeQueryNode(node)
            ? node.exprName
            : node.expression;
        let symbol = checker.getSymbolAtLocation(name);
        if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
        for (const next of symbol?.declarations ?? [])
          visit(next, `${path} > ${name.getText(node.getSourceFile())}`);
      }
      ts.forEachChild(node, walk);
    };
    walk(declaration);
  };
  visit(root, `${relative(ROOT, root.getSourceFile().fileName)}: ${root.name.text}`);
}

/** JSON schemas of every command's result, keyed by sf id. */
export function commandSchemas(): Record<string, Schema> {
  const entries = readRegistry();
  const tsProgram = program();
  const checker = tsProgram.getTypeChecker();
  const generator = createGenerator({
    tsProgram,
    skipTypeCheck: true,
    expose: 'export',
    jsDoc: 'extended',
    sortProps: true
  });
  const schemas: Record<string, Schema> = {};
  for (const { id, module } of entries) {
    const path = join(ROOT, 'scripts', module.replace(/\.js$/, '.ts'));
    const file = tsProgram.getSourceFile(path);
    if (!file) throw new Error(`${relative(ROOT, path)} is not part of the program.`);
    const declaration = resultDeclaration(checker, file, id);
    assertCommandLayerTypes(checker, declaration);
    schemas[sfCommandId(id)] = generator.createSchemaFromNodes([declaration]);
  }
  return schemas;
}

export function schemaFile(sfId: string): string {
  return join(SCHEMAS_DIR, `${sfId.replaceAll(':', '-')}.json`);
}

async function writeJson(file: string, value: unknown): Promise<void> {
  const options = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(file, await prettier.format(JSON.stringify(value), { ...options, filepath: file }));
}

/** Writes command-snapshot.json and schemas/ from the current code; returns the files written. */
export async function updateJsonContract(): Promise<string[]> {
  await writeJson(SNAPSHOT_FILE, commandSnapshot());
  const schemas = commandSchemas();
  if (existsSync(SCHEMAS_DIR)) {
    for (const name of readdirSync(SCHEMAS_DIR)) if (name.endsWith('.json')) rmSync(join(SCHEMAS_DIR, name));
  }
  mkdirSync(SCHEMAS_DIR, { recursive: true });
  const files = [SNAPSHOT_FILE];
  for (const [id, schema] of Object.entries(schemas)) {
    await writeJson(schemaFile(id), schema);
    files.push(schemaFile(id));
  }
  return files.map((file) => relative(ROOT, file));
}

export function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const file of await updateJsonContract()) process.stdout.write(`wrote ${file}\n`);
}
