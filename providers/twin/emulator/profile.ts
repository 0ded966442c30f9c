// Which Twin the emulator plays. `documented` answers only what Twin's documents promise (seed 001) and behaves
// as integrators met the live gateway (shared/twin-api.md); it is the default, so twinflow's guarantees are
// proven against a Twin that exists. `rich` is the emulator as it used to be: run objects with seed 000's
// extras (summary, outcome, user_message, …) and lenient requests, for demos and tests of those extras.
export const PROFILES = ['documented', 'rich'] as const;
export type Profile = (typeof PROFILES)[number];
export const DEFAULT_PROFILE: Profile = 'documented';

export interface ProfileRules {
  name: Profile;
  /** Answers carry what no document promises: seed 000's run fields, `finished {outcome, summary}`, Retry-After-Ms. */
  extras: boolean;
  /**
   * Requests meet the live gateway's observed behaviour: run_mode required, problem bodies without `type`, 422
   * for JSON of the wrong type, grpc-status 12 on routed-but-unimplemented paths, a bare 405 for PATCH on a
   * run, and an empty event page for an unknown run.
   */
  liveGateway: boolean;
}

const RULES: Record<Profile, ProfileRules> = {
  documented: { name: 'documented', extras: false, liveGateway: true },
  rich: { name: 'rich', extras: true, liveGateway: false },
};

export function isProfile(value: unknown): value is Profile {
  return typeof value === 'string' && (PROFILES as readonly string[]).includes(value);
}

/** `source` names where the value came from (an option, an environment variable, a flag) for the error. */
export function profileRules(value: unknown = DEFAULT_PROFILE, source = 'profile'): ProfileRules {
  if (!isProfile(value))
    throw new TypeError(`${source} must be one of ${PROFILES.join(', ')} (got ${JSON.stringify(value)})`);
  return RULES[value];
}
