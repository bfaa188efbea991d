// Named moments of the window's work (User Timing marks), read by the GUI benchmark
// (tests/bench/gui.mjs) to tell where the time between a click and the painted result went.
// Only the latest mark of each name is kept, so they cost nothing over a long session.

/** Records `name` now (replacing an earlier mark of that name). Never throws. */
export function mark(name: string): void {
  try {
    performance.clearMarks(name);
    performance.mark(name);
  } catch {
    // An engine without User Timing records nothing.
  }
}
