/**
 * Just enough Bicep reading for structural tests (no Bicep compiler is available offline): top-level
 * params and outputs with their decorators, module calls with their params, and resource bodies.
 */
export interface BicepSymbol {
  kind: "param" | "output";
  name: string;
  type: string;
  decorators: string[];
  /** Default value for params (text after `=`), or the value of outputs. */
  value?: string;
  line: number;
}

/** Top-level `param` and `output` declarations with the decorators just above them. */
export function bicepSymbols(source: string): BicepSymbol[] {
  const lines = source.split("\n");
  const symbols: BicepSymbol[] = [];
  let decorators: string[] = [];
  let pendingDecorator = "";
  for (const [index, line] of lines.entries()) {
    if (pendingDecorator) {
      pendingDecorator += `\n${line}`;
      if (balanced(pendingDecorator)) {
        decorators.push(pendingDecorator.trim());
        pendingDecorator = "";
      }
      continue;
    }
    if (line.startsWith("@")) {
      if (balanced(line)) decorators.push(line.trim());
      else pendingDecorator = line;
      continue;
    }
    const match = /^(param|output)\s+([A-Za-z_]\w*)\s+([A-Za-z_][\w.]*)(?:\s*=\s*(.*))?$/.exec(line);
    if (match) {
      symbols.push({
        kind: match[1] as "param" | "output",
        name: match[2]!,
        type: match[3]!,
        decorators,
        ...(match[4] !== undefined ? { value: match[4] } : {}),
        line: index + 1,
      });
    }
    if (line.trim() !== "" && !line.trim().startsWith("//")) decorators = [];
  }
  return symbols;
}

function balanced(text: string): boolean {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\" && quoted) {
      i++;
      continue;
    }
    if (c === "'") quoted = !quoted;
    else if (!quoted && (c === "(" || c === "[" || c === "{")) depth++;
    else if (!quoted && (c === ")" || c === "]" || c === "}")) depth--;
  }
  return depth === 0 && !quoted;
}

/** The text of the `{ … }` block that starts at the first `{` at or after `from`. */
export function blockAt(source: string, from: number): string {
  const start = source.indexOf("{", from);
  if (start < 0) throw new Error("no block");
  let depth = 0;
  let quoted = false;
  for (let i = start; i < source.length; i++) {
    const c = source[i];
    if (c === "\\" && quoted) {
      i++;
      continue;
    }
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === "{") depth++;
    else if (!quoted && c === "}") {
      depth--;
      if (depth === 0) return source.slice(start, i + 1);
    }
  }
  throw new Error("unbalanced block");
}

export interface ModuleCall {
  symbol: string;
  path: string;
  /** Names given in its `params: { … }`. */
  params: string[];
}

/** Every `module <symbol> '<path>' = …` with the names in its params block. */
export function moduleCalls(source: string): ModuleCall[] {
  const calls: ModuleCall[] = [];
  for (const match of source.matchAll(/^module\s+(\w+)\s+'([^']+)'\s*=/gm)) {
    const body = blockAt(source, match.index);
    const paramsAt = body.search(/\bparams\s*:\s*\{/);
    const params = paramsAt < 0 ? [] : topLevelKeys(blockAt(body, paramsAt));
    calls.push({ symbol: match[1]!, path: match[2]!, params });
  }
  return calls;
}

/** Keys at the top level of an object literal `{ … }`. */
function topLevelKeys(block: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let quoted = false;
  let lineStart = true;
  for (let i = 0; i < block.length; i++) {
    const c = block[i]!;
    if (c === "'" ) quoted = !quoted;
    if (!quoted && "{[(".includes(c)) depth++;
    if (!quoted && "}])".includes(c)) depth--;
    if (c === "\n") {
      lineStart = true;
      continue;
    }
    if (lineStart && depth === 1 && /\S/.test(c)) {
      const key = /^([A-Za-z_]\w*)\s*:/.exec(block.slice(i));
      if (key) keys.push(key[1]!);
      lineStart = false;
    } else if (/\S/.test(c)) {
      lineStart = false;
    }
  }
  return keys;
}

/** The body of `resource <symbol> '<type>@<version>' = …`. */
export function resourceBody(source: string, symbol: string): string {
  const match = new RegExp(`^resource\\s+${symbol}\\s+'[^']+'`, "m").exec(source);
  if (!match) throw new Error(`no resource ${symbol}`);
  return blockAt(source, match.index);
}
