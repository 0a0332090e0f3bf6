/** Every way of receiving/sending the benchmark compares (`ours` is `ours-on` where the listener kind does not matter). */
export const SUBJECTS = [
  'native',
  'native-addEventListener',
  'ours',
  'ours-on',
  'ours-addEventListener',
  'ours-onmessage',
  // Our library built from another commit (`--base <git-ref>`), listening with on(): an A/B in one run.
  'ours-base',
  'reconnecting-websocket',
  'partysocket',
  'websocket-ts',
  'sockette',
] as const
export type Subject = (typeof SUBJECTS)[number]
