/**
 * systemd unit files as plain objects, rendered as INI. Sections come out in a fixed order and
 * keys in the order the caller wrote them, so a unit renders to the same bytes every time (user
 * data changes replace nodes). An array value repeats the key, as systemd expects for
 * ExecStartPre=, Environment=, After= and friends.
 */

export type UnitValue = string | string[];
export type UnitSection = Record<string, UnitValue>;

export interface UnitFile {
  Unit?: UnitSection;
  Service?: UnitSection;
  Timer?: UnitSection;
  Install?: UnitSection;
}

/** systemd's conventional order; anything else would still parse but reads oddly. */
const SECTION_ORDER: (keyof UnitFile)[] = ["Unit", "Service", "Timer", "Install"];

const KEY = /^[A-Za-z][A-Za-z0-9]*$/;

export function renderUnit(unit: UnitFile): string {
  const blocks: string[] = [];
  for (const section of SECTION_ORDER) {
    const entries = unit[section];
    if (entries === undefined) continue;
    const lines = [`[${section}]`];
    for (const [key, value] of Object.entries(entries)) {
      if (!KEY.test(key)) {
        throw new Error(`systemd unit [${section}] key ${JSON.stringify(key)} must be letters and digits: fix the key name`);
      }
      for (const v of Array.isArray(value) ? value : [value]) {
        // A newline would start a new directive and silently change the unit.
        if (/[\r\n]/.test(v)) {
          throw new Error(
            `systemd unit [${section}] ${key} must be a single line (got ${JSON.stringify(v)}): split it into an array of values`,
          );
        }
        lines.push(`${key}=${v}`);
      }
    }
    blocks.push(lines.join("\n"));
  }
  if (blocks.length === 0) throw new Error("systemd unit must have at least one section: pass Unit, Service, Timer or Install");
  return `${blocks.join("\n\n")}\n`;
}
