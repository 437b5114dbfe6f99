/**
 * Where a problem's key is written in Pulumi.<stack>.yaml: line and column, so an editor jumps to
 * it. Keys are walked greedily through the YAML tree (`kubestead:workers[1].taints[0].value`,
 * label keys with dots and slashes included); a key the file doesn't set points at its nearest
 * written parent.
 */
import { isMap, isScalar, isSeq, LineCounter, Node, parseDocument } from "yaml";
import { Problem } from "./problems";

export interface Location {
  line: number;
  column: number;
}

export function locateKey(text: string, key: string): Location | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return walk(doc.get("config", true) as Node | undefined, key, lineCounter);
}

function walk(start: Node | undefined, key: string, lc: LineCounter): Location | undefined {
  let node = start;
  let rest = key;
  let at: number | undefined;
  while (rest.length > 0 && node) {
    if (isMap(node)) {
      let best: { k: string; pair: (typeof node.items)[number] } | undefined;
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (k === undefined) continue;
        const fits = rest === k || rest.startsWith(`${k}.`) || rest.startsWith(`${k}[`);
        if (fits && (!best || k.length > best.k.length)) best = { k, pair };
      }
      if (!best) break;
      at = (best.pair.key as Node).range?.[0] ?? at;
      node = (best.pair.value ?? undefined) as Node | undefined;
      rest = rest.slice(best.k.length).replace(/^\./, "");
      continue;
    }
    const index = /^\[(\d+)\]\.?/.exec(rest);
    if (isSeq(node) && index) {
      const item = node.items[Number(index[1])] as Node | undefined;
      if (!item) break;
      at = item.range?.[0] ?? at;
      node = item;
      rest = rest.slice(index[0].length);
      continue;
    }
    break;
  }
  if (at === undefined) return undefined;
  const { line, col } = lc.linePos(at);
  return { line, column: col };
}

/** The problems with `file:line:column` where the file writes (or would write) each key. */
export function locateProblems(problems: Problem[], text: string, file: string): Problem[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const config = doc.get("config", true) as Node | undefined;
  return problems.map((p) => {
    const loc = walk(config, p.key, lineCounter);
    return loc ? { ...p, where: `${file}:${loc.line}:${loc.column}` } : p;
  });
}
