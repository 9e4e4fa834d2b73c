import { strtobool } from '../../utils/strtobool.js';

/**
 * Whether `JSONTranscoder`, `Mapper` and the recorders use the speed machinery of this folder
 * when their constructor is not told (`fastPaths` option): yes, unless the environment variable
 * `EVENTSOURCING_FAST_PATHS` is false (`no`, `false`, `0`, …). Turning them off runs the plain
 * path alone, which gives the same results byte for byte (the tests check it), more slowly: a
 * way to rule the machinery out when something looks wrong.
 */
export function fastPathsByDefault(): boolean {
  const value = process.env.EVENTSOURCING_FAST_PATHS;
  if (value === undefined || value.trim() === '') return true;
  try {
    return strtobool(value);
  } catch (error) {
    throw new RangeError(
      `EVENTSOURCING_FAST_PATHS: ${(error as Error).message} (or leave it unset: fast paths on).`,
    );
  }
}
