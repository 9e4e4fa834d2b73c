/**
 * Versioning of stored state. A class (event class, or aggregate class for its snapshots) says
 * which version of its state it expects with `static classVersion = N` (default 1), and provides
 * static upcasters `upcastV1V2(state)`, `upcastV2V3(state)`, ... that change an older state record
 * in place into the next version. Stored state carries `class_version` when it is above 1.
 */

/** The current state version of a class: its static `classVersion`, else 1. */
export function classVersionOf(cls: object): number {
  const version = (cls as { classVersion?: unknown }).classVersion;
  if (version === undefined) return 1;
  if (!Number.isSafeInteger(version) || (version as number) < 1) {
    const name = (cls as { name?: string }).name || 'a class';
    throw new TypeError(
      `${name}.classVersion must be a positive integer, got ${String(version)}. Set ` +
        `'static classVersion = 2' (or higher) when its stored state changes shape.`,
    );
  }
  return version as number;
}

/**
 * Upcasts `state` in place from `fromVersion` to the class's current version, calling the
 * class's static `upcastV1V2`, `upcastV2V3`, ... in order. A missing upcaster is a TypeError.
 * Used for snapshots here, and by the persistence Mapper for events.
 */
export function upcastState(cls: object, state: Record<string, unknown>, fromVersion = 1): void {
  const current = classVersionOf(cls);
  for (let v = fromVersion; v < current; v++) {
    const name = `upcastV${v}V${v + 1}`;
    const upcaster = (cls as Record<string, unknown>)[name];
    if (typeof upcaster !== 'function') {
      const clsName = (cls as { name?: string }).name || 'the class';
      throw new TypeError(
        `Cannot upcast state of ${clsName} from version ${v} to ${v + 1}: ${clsName} has ` +
          `classVersion ${current} but no static ${name}(state) method. Add one that changes ` +
          `the state record of version ${v} into version ${v + 1}.`,
      );
    }
    (upcaster as (state: Record<string, unknown>) => void).call(cls, state);
  }
}
